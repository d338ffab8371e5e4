@testable import CUDA
import Foundation
import XCTest

/// The kernel programs as the backend loads them: every kernel a program lists is defined in its source as
/// an `extern "C" __global__` function (the name `cuModuleGetFunction` looks up), names are unique, and
/// every program compiles to PTX for sm_80 and sm_90 with NVRTC 12 and 13 on the CPU (libnvrtc from NVIDIA's
/// wheels, which `make test` installs in .build/nvrtc and .build/nvrtc13 first).
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

    func testEveryProgramCompilesToPTXWithNVRTC12And13() throws {
        let build = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build")
        var compilers: [NVRTCAPI] = []
        for (folder, file, major) in [("nvrtc/nvidia/cuda_nvrtc/lib", "libnvrtc.so.12", "12."), ("nvrtc13/nvidia/cu13/lib", "libnvrtc.so.13", "13.")] {
            let lib = build.appendingPathComponent(folder)
            guard FileManager.default.fileExists(atPath: lib.appendingPathComponent(file).path) else {
                return XCTFail("\(lib.path)/\(file) is missing: make test installs NVIDIA's NVRTC wheels there")
            }
            let nvrtc = try NVRTCAPI.bind(DynamicLibrary.open(file, purpose: "NVRTC", directories: [lib.path]))
            XCTAssertTrue(nvrtc.version.hasPrefix(major), nvrtc.version)
            compilers.append(nvrtc)
        }
        for nvrtc in compilers {
            for architecture in ["compute_80", "compute_90"] {
                let compiler = KernelCompiler(nvrtc: nvrtc, architecture: architecture)
                for program in KernelSources.programs {
                    let ptx = String(decoding: try compiler.ptx(of: program).prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    XCTAssertTrue(ptx.contains(".target sm_\(architecture.dropFirst(8))"), "\(program.name) \(architecture)")
                    for kernel in program.kernels { XCTAssertTrue(ptx.contains(".entry \(kernel)("), "\(kernel) in \(architecture) PTX") }
                }
            }
        }
        let nvrtc = compilers[0]
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
