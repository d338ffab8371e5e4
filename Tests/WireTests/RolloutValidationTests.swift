import Wire
import XCTest

/// A rollout must line up with the task it answers.
final class RolloutValidationTests: XCTestCase {
    let task = RolloutTask(id: TaskID(iteration: 0, index: 1), policyVersion: 0, prompts: [[1], [2]], seed: 1,
                           sampling: SamplingSettings(temperature: 1, topK: 0, topP: 1, minP: 0, maxNewTokens: 3, stopTokens: [9]))

    func testMatchingRolloutPasses() throws {
        try Rollout(id: task.id, policyVersion: 0, responses: [[4, 9], [5, 6, 7]], logProbs: [[-1, -2], [-1, -1, -1]],
                    stopped: [true, false]).validate(against: task)
    }

    func testEachMismatchIsRefused() {
        let cases: [Rollout] = [
            Rollout(id: TaskID(iteration: 0, index: 2), policyVersion: 0, responses: [[4], [5]], logProbs: [[-1], [-1]], stopped: [false, false]),
            Rollout(id: task.id, policyVersion: 0, responses: [[4]], logProbs: [[-1]], stopped: [false]),
            Rollout(id: task.id, policyVersion: 0, responses: [[4], [5]], logProbs: [[-1], []], stopped: [false, false]),
            Rollout(id: task.id, policyVersion: 0, responses: [[4], []], logProbs: [[-1], []], stopped: [false, false]),
            Rollout(id: task.id, policyVersion: 0, responses: [[4], [1, 2, 3, 4]], logProbs: [[-1], [0, 0, 0, 0]], stopped: [false, false]),
        ]
        for (i, rollout) in cases.enumerated() {
            XCTAssertThrowsError(try rollout.validate(against: task), "case \(i)")
        }
    }
}
