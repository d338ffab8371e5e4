import Foundation
import ModelIO
import TestSupport
import XCTest

/// `rlhf ppo` with a `lora:` section on stories260K: only the adapter trains (the checkpointed base
/// stays weight for weight the starting one, the adapter moves), and a run resumed from a checkpoint
/// continues as the uninterrupted one.
final class PPOLoRATests: XCTestCase {
    let config = TestPaths.packageRoot.appendingPathComponent("cluster/configs/sentiment-stories260k.yaml")
    let environment = ["RLHF_SHARED": TestPaths.shared.path, "RLHF_MODELS": TestPaths.models.path]

    func arguments(_ output: URL, iterations: Int, resume: Bool = false) -> [String] {
        ["ppo", "--config", config.path, "--output", output.path, "--set", "lora.rank=4", "--set", "lora.targets=q_proj,v_proj,o_proj",
         "--set", "iterations=\(iterations)", "--set", "save_every=2", "--set", "eval_every=2"] + (resume ? ["--resume"] : [])
    }

    func testOnlyTheAdapterTrainsAndAResumedRunContinuesTheSame() throws {
        try requireFile(FileManager.default.fileExists(atPath: TestPaths.models.appendingPathComponent("vader/vader_lexicon.txt").path),
                        "the VADER lexicon is missing: run `make models`")
        let binary = RLHFBinary.url(besideBundleOf: Self.self)
        let root = temporaryPath("ppo-lora")
        defer { try? FileManager.default.removeItem(at: root) }
        let whole = root.appendingPathComponent("whole"), split = root.appendingPathComponent("split")
        let straight = try RLHFBinary.run(binary, arguments(whole, iterations: 4), environment: environment)
        XCTAssertEqual(straight.status, 0, straight.stderr)
        let checkpoints = whole.appendingPathComponent("checkpoints")
        func bytes(_ iteration: Int, _ file: String) throws -> Data {
            try Data(contentsOf: checkpoints.appendingPathComponent(String(format: "iteration-%06d/", iteration) + file))
        }
        // the checkpointed base is the starting model, weight for weight, at every checkpoint
        let (_, start) = try Llama2cCheckpoint.load(url: TestPaths.data("stories260K/stories260K.bin"))
        for iteration in [2, 4] {
            let folder = checkpoints.appendingPathComponent(String(format: "iteration-%06d/policy", iteration))
            let (_, base) = try HFCheckpoint.load(directory: folder)
            assertSameParameters(base, start, "the base at iteration \(iteration)")
        }
        XCTAssertNotEqual(try bytes(2, "adapter/adapter_model.safetensors"), try bytes(4, "adapter/adapter_model.safetensors"),
                          "the adapter trains")
        let metrics = try RunOutput.metrics(whole)
        XCTAssertGreaterThan(metrics[1]["ppo/grad_norm"] ?? 0, 0)

        let first = try RLHFBinary.run(binary, arguments(split, iterations: 2), environment: environment)
        XCTAssertEqual(first.status, 0, first.stderr)
        let resumed = try RLHFBinary.run(binary, arguments(split, iterations: 4, resume: true), environment: environment)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let expected = metrics.filter { ($0["iteration"] ?? -1) == 3 }, got = try RunOutput.metrics(split).filter { ($0["iteration"] ?? -1) == 3 }
        XCTAssertEqual(got.count, 1)
        XCTAssertEqual(got, expected, "iteration 3 after a resume from iteration 2")
    }
}
