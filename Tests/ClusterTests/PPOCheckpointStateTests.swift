import Foundation
@testable import PPO
import Training
import TestSupport
import XCTest

/// A checkpoint's state is checked field by field before a resumed run loads anything: each field in its
/// range (no value that overflows the arithmetic that continues the run) and matching the run's config.
final class PPOCheckpointStateTests: XCTestCase {
    private var config: PPORunConfig {
        var c = PPORunConfig()
        c.policyModel = "policy"
        c.ppo.batchSize = 16
        c.ppo.ppoEpochs = 4
        return c
    }

    private func state(_ edit: (inout PPOCheckpointState) -> Void = { _ in }) -> PPOCheckpointState {
        var s = PPOCheckpointState(iteration: 3, version: 3, seed: "0", batchSize: 16, policyModel: "policy",
                                   klController: KLController(initial: 0.1, mode: .adaptive(target: 6, horizon: 10_000)),
                                   shuffleState: "12345", promptPosition: 48, optimizerSteps: [48], hasCritic: false)
        edit(&s)
        return s
    }

    private func assertStateRefused(_ s: PPOCheckpointState, naming field: String, file: StaticString = #filePath, line: UInt = #line) {
        let message = TestSupport.assertRefused(mentioning: [field], file: file, line: line) {
            try s.check(against: config, file: "state.json")
        }
        XCTAssertTrue(message.hasPrefix("state.json"), message, file: file, line: line)
    }

    func testAGoodStatePasses() {
        XCTAssertNoThrow(try state().check(against: config, file: "state.json"))
        XCTAssertNoThrow(try state { $0.optimizerSteps = [3 * 4 * 16] }.check(against: config, file: "state.json"))
    }

    func testEachFieldHasItsRange() {
        assertStateRefused(state { $0.iteration = .max; $0.version = .max }, naming: "iteration")
        assertStateRefused(state { $0.iteration = -1 }, naming: "iteration")
        assertStateRefused(state { $0.version = .max }, naming: "version")
        assertStateRefused(state { $0.version = 2 }, naming: "version")
        assertStateRefused(state { $0.promptPosition = .max }, naming: "prompt_position")
        assertStateRefused(state { $0.promptPosition = -1 }, naming: "prompt_position")
        assertStateRefused(state { $0.optimizerSteps = [.max] }, naming: "optimizer_steps")
        assertStateRefused(state { $0.optimizerSteps = [-1] }, naming: "optimizer_steps")
        assertStateRefused(state { $0.optimizerSteps = [3 * 4 * 16 + 1] }, naming: "optimizer_steps")
        assertStateRefused(state { $0.klController = KLController(initial: -5, mode: .fixed) }, naming: "kl_controller.coefficient")
        assertStateRefused(state { $0.klController = KLController(initial: .nan, mode: .fixed) }, naming: "kl_controller.coefficient")
        assertStateRefused(state { $0.klController = KLController(initial: 0.1, mode: .adaptive(target: .infinity, horizon: 1)) },
                      naming: "kl_controller.mode")
        assertStateRefused(state { $0.shuffleState = "-1" }, naming: "shuffle_state")
        assertStateRefused(state { $0.format = 2 }, naming: "format")
    }

    func testAStateOfAnotherRunIsRefused() {
        assertStateRefused(state { $0.batchSize = 8 }, naming: "batch_size")
        assertStateRefused(state { $0.seed = "1" }, naming: "seed")
        assertStateRefused(state { $0.policyModel = "other" }, naming: "policy.model")
    }
}
