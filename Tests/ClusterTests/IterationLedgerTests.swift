import ClusterCore
import Wire
import XCTest

/// Exactly-once accounting of one iteration: results counted once whatever order they come in,
/// duplicates, late, unknown and malformed results dropped and counted.
final class IterationLedgerTests: XCTestCase {
    static let sampling = SamplingSettings(temperature: 1, topK: 0, topP: 1, minP: 0, maxNewTokens: 4, stopTokens: [])

    static func tasks(iteration: Int, count: Int) -> [RolloutTask] {
        (0..<count).map { i in
            RolloutTask(id: TaskID(iteration: iteration, index: i), policyVersion: iteration, prompts: [[1, 2], [3]],
                        seed: TaskID(iteration: iteration, index: i).seed(runSeed: 7), sampling: sampling)
        }
    }

    static func rollout(_ id: TaskID) -> Rollout {
        Rollout(id: id, policyVersion: id.iteration, responses: [[5, 6], [7]], logProbs: [[-1, -2], [-3]], stopped: [false, true])
    }

    func testCompleteInTaskOrderWhateverTheArrivalOrder() {
        var ledger = IterationLedger(iteration: 3, tasks: Self.tasks(iteration: 3, count: 3))
        for index in [2, 0, 1] {
            let id = TaskID(iteration: 3, index: index)
            XCTAssertNil(ledger.batch)
            XCTAssertEqual(ledger.record(Self.rollout(id)), .accepted)
            XCTAssertEqual(ledger.record(ReferenceResult(id: id, logProbs: [[-1.5, -2.5], [-3.5]])), .accepted)
            XCTAssertEqual(ledger.record(ScoreResult(id: id, scores: [0.5, -0.5])), .accepted)
        }
        XCTAssertTrue(ledger.isComplete)
        XCTAssertEqual(ledger.batch?.map(\.task.id.index), [0, 1, 2])
    }

    func testDuplicateLateAndUnknownResultsAreDroppedAndCounted() {
        var ledger = IterationLedger(iteration: 1, tasks: Self.tasks(iteration: 1, count: 2))
        let id = TaskID(iteration: 1, index: 0)
        XCTAssertEqual(ledger.record(Self.rollout(id)), .accepted)
        XCTAssertEqual(ledger.record(Self.rollout(id)), .duplicate)
        XCTAssertEqual(ledger.record(Self.rollout(TaskID(iteration: 0, index: 0))), .late)
        XCTAssertEqual(ledger.record(ScoreResult(id: TaskID(iteration: 1, index: 9), scores: [1, 1])), .unknownTask)
        XCTAssertEqual(ledger.duplicates, 1)
        XCTAssertEqual(ledger.late, 1)
        XCTAssertEqual(ledger.unknown, 1)
        XCTAssertEqual(ledger.awaitingRollout, [TaskID(iteration: 1, index: 1)])
    }

    func testMalformedResultsLeaveTheTaskOpen() {
        var ledger = IterationLedger(iteration: 0, tasks: Self.tasks(iteration: 0, count: 1))
        let id = TaskID(iteration: 0, index: 0)
        var short = Self.rollout(id)
        short.logProbs = [[-1], [-3]]
        guard case .invalid = ledger.record(short) else { return XCTFail("a row with fewer log-probs than tokens") }
        guard case .invalid = ledger.record(ReferenceResult(id: id, logProbs: [[-1, -2], [-3]])) else {
            return XCTFail("reference before its rollout")
        }
        guard case .invalid = ledger.record(ScoreResult(id: id, scores: [.nan, 1])) else { return XCTFail("a NaN score") }
        XCTAssertEqual(ledger.invalid, 3)
        XCTAssertEqual(ledger.record(Self.rollout(id)), .accepted, "a correct answer still counts")
    }

    /// Results of a task leased by another learner incarnation, and rollouts of another policy version
    /// than their task's, are dropped, each counted under its own reason; the task stays open.
    func testOtherIncarnationsAndWrongVersionsAreDroppedByReason() {
        let tasks = Self.tasks(iteration: 2, count: 1).map { task -> RolloutTask in
            var task = task
            task.id.incarnation = 77
            return task
        }
        var ledger = IterationLedger(iteration: 2, tasks: tasks)
        let id = tasks[0].id
        var earlier = id
        earlier.incarnation = 76
        XCTAssertEqual(ledger.record(Self.rollout(earlier)), .otherIncarnation)
        XCTAssertEqual(ledger.record(ScoreResult(id: earlier, scores: [1, 1])), .otherIncarnation)
        var stale = Self.rollout(id)
        stale.policyVersion = 1
        XCTAssertEqual(ledger.record(stale), .wrongVersion)
        XCTAssertEqual(ledger.dropped, ["duplicate": 0, "late": 0, "unknown": 0, "invalid": 0, "other_incarnation": 2, "wrong_version": 1])
        XCTAssertEqual(ledger.record(Self.rollout(id)), .accepted, "the task stayed open")
        XCTAssertEqual(ledger.record(stale), .duplicate, "once answered, another answer is a duplicate")
    }

    func testTaskSeedsDependOnTheTaskAlone() {
        var restarted = TaskID(iteration: 2, index: 5)
        restarted.incarnation = 99
        XCTAssertEqual(restarted.seed(runSeed: 11), TaskID(iteration: 2, index: 5).seed(runSeed: 11), "not the incarnation")
        let a = TaskID(iteration: 2, index: 5).seed(runSeed: 11)
        XCTAssertEqual(a, TaskID(iteration: 2, index: 5).seed(runSeed: 11))
        XCTAssertNotEqual(a, TaskID(iteration: 2, index: 6).seed(runSeed: 11))
        XCTAssertNotEqual(a, TaskID(iteration: 3, index: 5).seed(runSeed: 11))
        XCTAssertNotEqual(a, TaskID(iteration: 2, index: 5).seed(runSeed: 12))
    }
}
