import Foundation
import PPO
import TestSupport
import XCTest

/// The embedded run's roles as actors: the numbers depend on the run seed and the task ids, never on
/// how many rollout generators answer or in what order.
final class EmbeddedRunTests: XCTestCase {
    static let configURL = TestPaths.packageRoot.appendingPathComponent("cluster/configs/sentiment-stories260k.yaml")

    static func metrics(rollout workers: Int, staleness: Int = 0, positions: ((Int) -> Void)? = nil) async throws -> [[String: Double]] {
        let config = try PPORunConfig.load(configURL, overrides: ["iterations=3", "eval_every=2", "roles.rollout=\(workers)",
                                                                  "max_staleness=\(staleness)"],
                                           environment: ["RLHF_SHARED": TestPaths.shared.path, "RLHF_MODELS": TestPaths.models.path])
        let run = try EmbeddedPPORun(config: config)
        var lines: [[String: Double]] = []
        for i in 0..<config.iterations {
            lines.append(try await run.runIteration(i))
            positions?(run.learner.dataPosition)
        }
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

    /// `max_staleness: 1`: iteration t trains on rollouts sampled with version t − 1 while the next
    /// round is sampled during its learning; the run is still independent of the number of generators,
    /// its first iteration is the on-policy one, and the data position a checkpoint saves is the
    /// on-policy run's.
    func testRunningAheadByOneVersion() async throws {
        try requireFile(FileManager.default.fileExists(atPath: TestPaths.models.appendingPathComponent("vader/vader_lexicon.txt").path),
                        "the VADER lexicon is missing: run `make models`")
        var onPositions: [Int] = [], aheadPositions: [Int] = []
        let onPolicy = try await Self.metrics(rollout: 1, positions: { onPositions.append($0) })
        let ahead = try await Self.metrics(rollout: 1, staleness: 1, positions: { aheadPositions.append($0) })
        let aheadThree = try await Self.metrics(rollout: 3, staleness: 1)
        XCTAssertEqual(ahead, aheadThree)
        XCTAssertEqual(aheadPositions, onPositions)
        XCTAssertEqual(ahead.map { $0["cluster/version_lag_max"] }, [0, 1, 1, nil])
        XCTAssertEqual(onPolicy.map { $0["cluster/version_lag_max"] }, [0, 0, 0, nil])
        XCTAssertEqual(ahead[0], onPolicy[0], "iteration 0 samples with version 0 either way")
        XCTAssertEqual(ahead.map { $0["cluster/samples_trained"] }, onPolicy.map { $0["cluster/samples_trained"] })
        XCTAssertNotEqual(ahead[1]["env/reward_mean"], onPolicy[1]["env/reward_mean"], "iteration 1 sampled with version 0, not 1")
        // the evaluation at iteration 2 uses version 2 in both runs, but version 2 learned from other rollouts
        XCTAssertNotNil(ahead[2]["eval/reward_mean"])
        XCTAssertNotEqual(ahead[2]["eval/reward_mean"], onPolicy[2]["eval/reward_mean"])
        XCTAssertNotEqual(ahead[1]["ppo/policy/ratio_mean"], 1)
    }
}
