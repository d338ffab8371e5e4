@testable import CUDA
import Foundation
import XCTest

/// The kernel programs as the backend loads them: every kernel a program lists is defined in its source as
/// an `extern "C" __global__` function (the name `cuModuleGetFunction` looks up), names are unique, and
/// every program compiles to PTX for sm_80 and sm_90 with NVRTC on the CPU (libnvrtc from NVIDIA's
/// nvidia-cuda-nvrtc-cu12 wheel, which `make test` installs in .build/nvrtc first).
final class KernelProgramTests: XCTestCase {
    func testEveryListedKernelIsDefinedOnceAndEveryDefinitionIsListed() throws {
        var seen = Set<String>()
        for program in KernelSources.programs {
            let defined = try Self.definedKernels(in: program.source)
            XCTAssertEqual(Set(program.kernels), Set(defined), program.name)
            XCTAssertEqual(defined.count, Set(defined).count, "\(program.name) defines a kernel twice")
            for kernel in program.kernels {
                XCTAssertTrue(kernel.hasPrefix("rlhf_"), kernel)
                XCTAssertTrue(seen.insert(kernel).inserted, "\(kernel) is in two programs")
            }
        }
        XCTAssertEqual(KernelSources.programs.count, Set(KernelSources.programs.map(\.name)).count)
    }

    func testEveryProgramCompilesToPTXWithNVRTC() throws {
        let wheel = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/nvrtc/nvidia/cuda_nvrtc/lib")
        guard FileManager.default.fileExists(atPath: wheel.appendingPathComponent("libnvrtc.so.12").path) else {
            return XCTFail("\(wheel.path)/libnvrtc.so.12 is missing: run make .build/nvrtc/.installed (make test does)")
        }
        let nvrtc = try NVRTCAPI.bind(DynamicLibrary.open("libnvrtc.so.12", purpose: "NVRTC", directories: [wheel.path]))
        XCTAssertTrue(nvrtc.version.hasPrefix("12."), nvrtc.version)
        for architecture in ["compute_80", "compute_90"] {
            let compiler = KernelCompiler(nvrtc: nvrtc, architecture: architecture)
            for program in KernelSources.programs {
                let ptx = String(decoding: try compiler.ptx(of: program).prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                XCTAssertTrue(ptx.contains(".target sm_\(architecture.dropFirst(8))"), "\(program.name) \(architecture)")
                for kernel in program.kernels { XCTAssertTrue(ptx.contains(".entry \(kernel)("), "\(kernel) in \(architecture) PTX") }
            }
        }
        // a source with an error is a one-line error naming the program and quoting NVRTC
        let broken = KernelProgram(name: "broken", source: "extern \"C\" __global__ void rlhf_broken(float* x) { x[0] = undefined_name; }",
                                   kernels: ["rlhf_broken"])
        XCTAssertThrowsError(try KernelCompiler(nvrtc: nvrtc, architecture: "compute_80").ptx(of: broken)) {
            let line = "\($0)"
            XCTAssertTrue(line.hasPrefix("NVRTC: broken.cu did not compile: "), line)
            XCTAssertTrue(line.contains("undefined_name"), line)
            XCTAssertFalse(line.contains("\n"), line)
        }
    }

    /// The names of `extern "C" __global__ void NAME(` definitions in `source`.
    static func definedKernels(in source: String) throws -> [String] {
        let pattern = try NSRegularExpression(pattern: #"extern\s+"C"\s+__global__\s+(?:__launch_bounds__\([^)]*\)\s+)?void\s+(\w+)\s*\("#)
        return pattern.matches(in: source, range: NSRange(source.startIndex..., in: source)).map {
            String(source[Range($0.range(at: 1), in: source)!])
        }
    }
}
