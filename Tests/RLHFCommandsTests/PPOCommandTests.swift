import Foundation
import TestSupport
import XCTest

/// `rlhf ppo` on the sentiment task with stories260K and VADER, through the real binary: the held-out
/// reward rises by a clear margin while the KL stays near its target, and without the KL penalty the KL
/// runs away. Bad configs are one-line errors naming the key and the file, exit status 2.
final class PPOCommandTests: XCTestCase {
    let config = TestPaths.packageRoot.appendingPathComponent("cluster/configs/sentiment-stories260k.yaml")

    func run(_ arguments: [String]) throws -> RLHFBinary.Run {
        try RLHFBinary.run(RLHFBinary.url(besideBundleOf: Self.self), arguments,
                           environment: ["RLHF_SHARED": TestPaths.shared.path, "RLHF_MODELS": TestPaths.models.path])
    }

    /// The metrics lines of a 30-iteration run with `overrides`.
    func train(_ overrides: [String]) throws -> [[String: Any]] {
        try requireFile(FileManager.default.fileExists(atPath: TestPaths.models.appendingPathComponent("vader/vader_lexicon.txt").path),
                        "the VADER lexicon is missing: run `make models`")
        let output = temporaryPath("ppo")
        defer { try? FileManager.default.removeItem(at: output) }
        var arguments = ["ppo", "--config", config.path, "--output", output.path, "--set", "iterations=30", "--set", "eval_every=10"]
        for o in overrides { arguments += ["--set", o] }
        let result = try run(arguments)
        XCTAssertEqual(result.status, 0, result.stderr)
        let text = try String(contentsOf: output.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        let events = try FileManager.default.contentsOfDirectory(atPath: output.path).filter { $0.hasPrefix("events.out.tfevents.") }
        XCTAssertEqual(events.count, 1, "one TensorBoard event file")
        let samples = try String(contentsOf: output.appendingPathComponent("samples.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertEqual(samples.count, 16, "4 held-out samples at each of the 4 evaluations")
        XCTAssertEqual(Set(samples.compactMap { $0["iteration"] as? Int }), [0, 10, 20, 30])
        XCTAssertTrue(samples.allSatisfy { ($0["response"] as? String) != nil && ($0["reward"] as? Double) != nil })
        return try text.split(separator: "\n").map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    func evaluations(_ lines: [[String: Any]]) -> [(reward: Double, kl: Double)] {
        lines.compactMap { line in (line["eval/reward_mean"] as? Double).map { ($0, line["eval/kl"] as? Double ?? .nan) } }
    }

    func testHeldOutRewardRisesWhileKLStaysBounded() throws {
        let lines = try train([])
        XCTAssertEqual(lines.count, 31, "30 iterations and a final evaluation")
        for key in ["env/reward_mean", "env/reward_std", "objective/kl", "objective/kl_coef", "objective/entropy",
                    "ppo/policy/approxkl", "ppo/policy/clipfrac", "ppo/loss/policy", "ppo/loss/value", "ppo/val/var_explained",
                    "env/response_length", "env/eos_rate", "tokens_per_s", "time/generate", "time/score", "time/reference",
                    "time/learn", "iteration"] {
            XCTAssertNotNil(lines[0][key], key)
        }
        let evals = evaluations(lines)
        XCTAssertEqual(evals.count, 4, "before iterations 0, 10, 20 and after the last")
        let (start, end) = (evals.first!, evals.last!)
        XCTAssertGreaterThan(end.reward, start.reward + 0.15, "held-out reward \(start.reward) -> \(end.reward)")
        XCTAssertLessThan(end.kl, 15, "the KL to the reference stays near its target (6): \(end.kl)")
    }

    func testWithoutTheKLPenaltyTheKLRunsAway() throws {
        let bounded = try evaluations(train([])).last!.kl
        let free = try evaluations(train(["init_kl_coef=0", "adap_kl_ctrl=false"])).last!.kl
        XCTAssertGreaterThan(free, 2 * bounded, "KL without the penalty \(free) against \(bounded) with it")
    }

    func assertConfigRefused(_ overrides: [String], mentions: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        var arguments = ["ppo", "--config", config.path, "--output", FileManager.default.temporaryDirectory.appendingPathComponent("never").path]
        for o in overrides { arguments += ["--set", o] }
        TestSupport.assertRefused(try run(arguments), mentioning: mentions, "\(overrides)", file: file, line: line)
    }

    func testBadConfigsAreOneLineErrors() throws {
        try assertConfigRefused(["learning_rat=1e-5"], mentions: ["unknown key 'learning_rat'", config.path])
        try assertConfigRefused(["batch_size=lots"], mentions: ["'batch_size' must be an integer", config.path])
        try assertConfigRefused(["policy.model=/nonexistent/model.bin"], mentions: ["policy.model", "/nonexistent/model.bin", config.path])
        try assertConfigRefused(["generation.top_p=2"], mentions: ["generation.top_p", "(0, 1]"])
    }
}
