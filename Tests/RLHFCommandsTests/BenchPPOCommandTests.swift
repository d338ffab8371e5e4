import Foundation
import TestSupport
import XCTest

/// `rlhf bench ppo` runs one PPO iteration per run and reports each phase; bad PPO flags exit 2.
final class BenchPPOCommandTests: XCTestCase {
    func run(_ arguments: [String]) throws -> RLHFBinary.Run {
        try RLHFBinary.run(RLHFBinary.url(besideBundleOf: Self.self), arguments)
    }

    func testOneIterationReportsEveryPhase() throws {
        let r = try run(["bench", "ppo", "--model", "gpt2-tiny", "--batch", "4", "--mini-batch", "2", "--ppo-epochs", "1",
                         "--prompt-len", "4", "--new-tokens", "4", "--warmup", "0", "--runs", "1", "--threads", "2", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["workload"] as? String, "ppo")
        XCTAssertEqual(object["optimizer_steps"] as? Int, 2)
        let phases = ["generate_s", "score_s", "reference_s", "learn_s"].compactMap { object[$0] as? Double }
        XCTAssertEqual(phases.count, 4)
        XCTAssertTrue(phases.allSatisfy { $0 > 0 })
        XCTAssertLessThanOrEqual(phases.reduce(0, +), try XCTUnwrap(object["median_s"] as? Double) * 1.01)
    }

    func testBadMinibatchIsRefused() throws {
        let r = try run(["bench", "ppo", "--model", "gpt2-tiny", "--batch", "4", "--mini-batch", "8"])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("--mini-batch"), r.stderr)
    }
}
