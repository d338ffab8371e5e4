import Foundation
import TestSupport
import XCTest

/// `rlhf devices`, `rlhf check-gpu --device cpu` (the GPU checks' harness, run against a second CPU backend),
/// and GPU placement where the GPU cannot be opened: one line naming what is missing, status 2.
final class DevicesCommandTests: XCTestCase {
    private var binary: URL { RLHFBinary.url(besideBundleOf: Self.self) }

    func testDevicesListsTheCPUAndEachCUDALibraryOrWhatIsMissing() throws {
        let r = try RLHFBinary.run(binary, ["devices"], environment: ["RLHF_CUDA_LIBRARY_PATH": "/nonexistent"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.first?.hasPrefix("cpu: ") ?? false, r.stdout)
        XCTAssertTrue(lines[0].contains("kernels for "), lines[0])
        // each library: its version, or one line naming the file
        XCTAssertTrue(lines.contains { $0.hasPrefix("driver: CUDA ") } || lines.contains { $0.hasPrefix("not available: cannot open libcuda.so.1 (the NVIDIA driver)") }, r.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("cuBLAS ") } || lines.contains { $0.contains("cannot open libcublasLt.so.13 or libcublasLt.so.12 (cuBLASLt, the matrix products)") }, r.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("NVRTC ") } || lines.contains { $0.contains("cannot open libnvrtc.so.13 or libnvrtc.so.12 (NVRTC, the kernel compiler)") }, r.stdout)
    }

    func testDevicesFindsNVRTCWhereTheEnvironmentSays() throws {
        let wheel = TestPaths.packageRoot.appendingPathComponent(".build/nvrtc/nvidia/cuda_nvrtc/lib").path
        let r = try RLHFBinary.run(binary, ["devices"], environment: ["RLHF_CUDA_LIBRARY_PATH": wheel])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.split(separator: "\n").contains { $0.hasPrefix("NVRTC 12.") }, "\(r.stdout) (make test installs the wheel in \(wheel))")
    }

    func testCheckGPUHarnessPassesOnTheCPU() throws {
        let r = try RLHFBinary.run(binary, ["check-gpu", "--device", "cpu"], environment: RLHFBinary.dataEnvironment.mapValues { $0 })
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let lines = r.stdout.split(separator: "\n")
        XCTAssertFalse(lines.contains { $0.hasPrefix("FAIL") }, r.stdout)
        for name in ["kernel attentionBackward", "gpt2-tiny gradients", "llama-tiny logits", "bert-reward-tiny chosen rewards",
                     "greedy generation", "seeded sampling run to run", "on-policy ratio"] {
            XCTAssertTrue(lines.contains { $0.hasPrefix("PASS " + name) }, "\(name) missing in\n\(r.stdout)")
        }
        XCTAssertTrue(lines.last?.hasSuffix("s") ?? false && lines.last!.contains("checks passed on cpu (fp32)"), r.stdout)
    }

    func testAGPUPrecisionOnTheCPUIsAWarningAndFloat32() throws {
        let stories = TestPaths.shared.appendingPathComponent("data/stories260K")
        let score = ["score", "--model", stories.appendingPathComponent("stories260K.bin").path,
                     "--tokenizer", stories.appendingPathComponent("tok512.bin").path, "--text", "Once upon a time"]
        let bf16 = try RLHFBinary.run(binary, score + ["--precision", "bf16"])
        let fp32 = try RLHFBinary.run(binary, score)
        XCTAssertEqual(bf16.status, 0, bf16.stderr)
        XCTAssertEqual(bf16.stderr, "warning: --precision bf16 is for GPUs; --device cpu computes in float32\n")
        XCTAssertEqual(bf16.stdout, fp32.stdout)
    }

    func testALaunchOnGPUsThatCannotBeOpenedStopsWithOneLineNamingTheDevice() throws {
        let root = try temporaryFolder()
        let hosts = root.appendingPathComponent("hosts")
        // GPUs no machine has: without CUDA the learner names libcuda.so.1; with it, a GPU that is not there
        try "127.0.0.1 slots=8 gpus=990,991,992,993,994,995,996,997\n".write(to: hosts, atomically: true, encoding: .utf8)
        let r = try RLHFBinary.run(binary, ["launch", "--hostfile", hosts.path, "--config", TestPaths.clusterConfig.path,
                                            "--output", root.appendingPathComponent("run").path, "--precision", "bf16"],
                                   environment: RLHFBinary.dataEnvironment.mapValues { $0 })
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stdout.contains("learner#0@127.0.0.1 slot 0 cuda:990"), r.stdout)
        XCTAssertTrue(r.stderr.contains("error: --device cuda:990: "), r.stderr)
        XCTAssertTrue(r.stderr.hasSuffix("error: the learner stopped before it was listening (exit status 2)\n"), r.stderr)
    }
}
