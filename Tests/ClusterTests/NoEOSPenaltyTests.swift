import ClusterCore
import Generation
import Models
import PPO
import Tensor
import Training
import Wire
import XCTest

/// `no_eos_penalty`: learning with the penalty equals learning without it from scores already lowered
/// by it on exactly the rows that produced no stop token, and the logged reward stays the raw score.
final class NoEOSPenaltyTests: XCTestCase {
    override func setUp() { Runtime.configure(threads: 2) }

    func entries(stopTokens: [Int]) throws -> [IterationLedger.Entry] {
        let policy = CausalLM(config: PPOLearnerStepTests.config)
        policy.parameters.initializeRandom(seed: 21, std: 0.3)
        let reference = CausalLM(config: PPOLearnerStepTests.config)
        reference.parameters.initializeRandom(seed: 22, std: 0.3)
        reference.freeze()
        var sampling = PPOLearnerStepTests.sampling
        sampling.stopTokens = stopTokens
        let generator = Generator(model: policy, padID: 0)
        let tasks = (0..<2).map { i in
            RolloutTask(id: TaskID(iteration: 0, index: i), policyVersion: 0, prompts: [[1, 2], [3, 4], [5, 6], [7, 8]],
                        seed: TaskID(iteration: 0, index: i).seed(runSeed: 9), sampling: sampling)
        }
        var ledger = IterationLedger(iteration: 0, tasks: tasks)
        for task in tasks {
            let rollout = try RolloutSampling.run(task, generator: generator, version: 0)
            _ = ledger.record(rollout)
            _ = ledger.record(ScoreResult(id: task.id, scores: rollout.responses.map { Float($0.count) / 10 }))
            let request = SequenceRequest(id: task.id, queries: task.prompts, responses: rollout.responses, temperature: 1)
            _ = ledger.record(try ReferenceScoring.run(request, reference: reference, padID: 0))
        }
        return try XCTUnwrap(ledger.batch)
    }

    func learn(_ entries: [IterationLedger.Entry], penalty: Double?) throws -> (weights: [Float], metrics: [String: Double]) {
        let policy = CausalLM(config: PPOLearnerStepTests.config)
        policy.parameters.initializeRandom(seed: 21, std: 0.3)
        var settings = PPOHyperparameters()
        settings.learningRate = 1e-2
        let step = try PPOLearnerStep(update: PPOUpdate(policy: policy, settings: settings, seed: 3),
                                      klController: KLController(initial: 0.1, mode: .fixed), noEOSPenalty: penalty, padID: 0)
        let metrics = try step.learn(from: entries)
        return (policy.backend.download(policy.parameters.values.pointer, count: policy.parameters.count), metrics)
    }

    func testThePenaltyLowersTheScoreOfRowsWithoutAStopTokenOnly() throws {
        let batch = try entries(stopTokens: [3, 5, 7, 9])
        let stopped = batch.flatMap { $0.rollout!.stopped }
        XCTAssertTrue(stopped.contains(true) && stopped.contains(false), "some rows stop and some do not: \(stopped)")
        let penalised = try learn(batch, penalty: -0.5)
        let lowered = batch.map { entry -> IterationLedger.Entry in
            var e = entry
            e.scores!.scores = zip(entry.scores!.scores, entry.rollout!.stopped).map { $1 ? $0 : $0 - 0.5 }
            return e
        }
        let shifted = try learn(lowered, penalty: nil)
        XCTAssertEqual(penalised.weights, shifted.weights)
        let unpenalised = try learn(batch, penalty: nil)
        XCTAssertNotEqual(penalised.weights, unpenalised.weights)
        XCTAssertEqual(penalised.metrics["env/reward_mean"], unpenalised.metrics["env/reward_mean"], "the raw score is logged")
    }
}
