import Foundation
import TestSupport
import XCTest

/// The CUDA backend end to end without a GPU: the real backend code and the real NVRTC compile of every kernel
/// to PTX, with the driver and cuBLAS played by the CPU emulator in scripts/cuda-emulator (`make test` builds it
/// into .build/cuda-emulator and installs NVRTC's wheel into .build/nvrtc). Every launch runs the kernel's own
/// CUDA C, block by block, its threads as fibers with real barriers and warp shuffles.
final class EmulatedGPUTests: XCTestCase {
    private var binary: URL { RLHFBinary.url(besideBundleOf: Self.self) }

    private var environment: [String: String?] {
        let root = TestPaths.packageRoot
        var environment = RLHFBinary.dataEnvironment.mapValues { Optional($0) }
        environment["RLHF_CUDA_LIBRARY_PATH"] = root.appendingPathComponent(".build/cuda-emulator").path + ":"
            + root.appendingPathComponent(".build/nvrtc/nvidia/cuda_nvrtc/lib").path
        return environment
    }

    override func setUpWithError() throws {
        for library in [".build/cuda-emulator/libcuda.so.1", ".build/nvrtc/nvidia/cuda_nvrtc/lib/libnvrtc.so.12"] {
            let path = TestPaths.packageRoot.appendingPathComponent(library).path
            guard FileManager.default.fileExists(atPath: path) else {
                XCTFail("\(path) is missing: make test builds it (scripts/cuda-emulator/README.md)")
                throw CocoaError(.fileNoSuchFile)
            }
        }
    }

    func testEveryGPUCheckPassesOnTheEmulatedDevice() throws {
        let r = try RLHFBinary.run(binary, ["check-gpu", "--device", "cuda:0"], environment: environment)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("CPU emulator of CUDA (rlhf)"), r.stderr)
        XCTAssertFalse(r.stdout.contains("FAIL"), r.stdout)
        XCTAssertTrue(r.stdout.contains("113 of 113 checks passed on cuda:0 (fp32)"), r.stdout)
        for precision in ["tf32", "bf16"] {
            let r = try RLHFBinary.run(binary, ["check-gpu", "--device", "cuda:0", "--precision", precision], environment: environment)
            XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
            XCTAssertTrue(r.stdout.contains("95 of 95 checks passed on cuda:0 (\(precision))"), r.stdout)
        }
    }

    func testPPOOnTheEmulatedDeviceGivesTheSameNumbersRunToRunAndTheCPUsWithinRounding() throws {
        let root = try temporaryFolder()
        let quick = ["--set", "iterations=1", "--set", "batch_size=4", "--set", "mini_batch_size=2", "--set", "eval_every=0", "--set", "save_every=0"]
        func metrics(_ device: String, _ name: String, _ extra: [String: String?] = [:]) throws -> [String: Double] {
            let output = root.appendingPathComponent(name)
            let r = try RLHFBinary.run(binary, ["ppo", "--config", TestPaths.clusterConfig.path, "--output", output.path, "--device", device] + quick,
                                       environment: environment.merging(extra) { $1 })
            XCTAssertEqual(r.status, 0, r.stderr)
            let line = try String(contentsOf: output.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")[0]
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Double])
            return object.filter { !$0.key.hasPrefix("time/") && $0.key != "tokens_per_s" }
        }
        let gpu = try metrics("cuda:0", "gpu")
        // blocks on one thread, their threads in reverse order: the same bits (no sum depends on scheduling)
        let again = try metrics("cuda:0", "gpu-again", ["RLHF_CUDA_EMU_THREADS": "1", "RLHF_CUDA_EMU_ORDER": "reverse"])
        XCTAssertEqual(gpu, again)
        let cpu = try metrics("cpu", "cpu")
        XCTAssertEqual(Set(gpu.keys), Set(cpu.keys))
        // the same sampled responses, so the same rewards; the learning within float rounding
        XCTAssertEqual(gpu["env/reward_mean"], cpu["env/reward_mean"])
        for key in ["ppo/policy/ratio_mean", "ppo/loss/total", "ppo/loss/value", "ppo/grad_norm", "objective/entropy", "ppo/policy/approxkl"] {
            let g = try XCTUnwrap(gpu[key], key), c = try XCTUnwrap(cpu[key], key)
            XCTAssertEqual(g, c, accuracy: 1e-4 * max(1, abs(c)), key)
        }
    }
}
