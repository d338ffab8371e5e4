import Cluster
import Foundation
import TestSupport
import XCTest

/// The embedded run's roles as actors: the numbers depend on the run seed and the task ids, never on
/// how many rollout generators answer or in what order.
final class EmbeddedRunTests: XCTestCase {
    static let configURL = TestPaths.packageRoot.appendingPathComponent("cluster/configs/sentiment-stories260k.yaml")

    static func metrics(rollout workers: Int) async throws -> [[String: Double]] {
        let config = try PPORunConfig.load(configURL, overrides: ["iterations=3", "eval_every=2", "roles.rollout=\(workers)"],
                                           environment: ["RLHF_SHARED": TestPaths.shared.path, "RLHF_MODELS": TestPaths.models.path])
        let run = try EmbeddedPPORun(config: config)
        var lines: [[String: Double]] = []
        for i in 0..<config.iterations { lines.append(try await run.runIteration(i)) }
        let connected = await run.learner.runner.workerCount(.rollout)
        XCTAssertEqual(connected, workers)
        lines.append(try await run.evaluate())
        await run.shutdown()
        // wall-clock numbers differ from run to run; everything else must not
        return lines.map { $0.filter { !$0.key.hasPrefix("time/") && $0.key != "tokens_per_s" } }
    }

    func testOneAndThreeRolloutActorsGiveTheSameRun() async throws {
        try requireFile(FileManager.default.fileExists(atPath: TestPaths.models.appendingPathComponent("vader/vader_lexicon.txt").path),
                        "the VADER lexicon is missing: run `make models`")
        let one = try await Self.metrics(rollout: 1)
        let three = try await Self.metrics(rollout: 3)
        XCTAssertEqual(one.count, 4)
        XCTAssertNotNil(one[0]["eval/reward_mean"])
        XCTAssertEqual(one, three)
        XCTAssertNotEqual(one[0]["env/reward_mean"], one[2]["env/reward_mean"], "iterations see different prompts")
    }
}
