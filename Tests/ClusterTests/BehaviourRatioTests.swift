import ClusterCore
import Generation
import Models
import PPO
import Tensor
import Training
import Wire
import XCTest

/// `max_staleness > 0`: the importance ratio is taken against the generators' behaviour log-probs. On a
/// tiny random model: with the policy's own rollouts the behaviour log-probs are its log-probs, so the
/// step matches the on-policy one; with behaviour log-probs moved by δ the first ratio moves by e^−δ.
final class BehaviourRatioTests: XCTestCase {
    override func setUp() { Runtime.configure(threads: 2) }

    /// One iteration's complete records, sampled from a fresh policy, and a step over that policy.
    private func prepare(shift: Float) throws -> (PPOLearnerStep, [IterationLedger.Entry]) {
        let (policy, reference) = PPOLearnerStepTests.models(referenceSeed: 22)
        let settings = PPOLearnerStepTests.settings(miniBatch: 16, epochs: 1)
        let step = try PPOLearnerStep(update: PPOUpdate(policy: policy, settings: settings, seed: 3),
                                      klController: KLController(initial: 0.05, mode: .fixed), padID: 0)
        let generator = Generator(model: policy, padID: 0)
        var rng = SplitMix64(seed: 77)
        let tasks = (0..<4).map { i -> RolloutTask in
            let id = TaskID(iteration: 0, index: i)
            let prompts = (0..<4).map { _ in (0..<2).map { _ in 1 + Int(rng.next() % 11) } }
            return RolloutTask(id: id, policyVersion: 0, prompts: prompts, seed: id.seed(runSeed: 1),
                               sampling: PPOLearnerStepTests.sampling)
        }
        var ledger = IterationLedger(iteration: 0, tasks: tasks)
        for task in tasks {
            var rollout = try RolloutSampling.run(task, generator: generator, version: 0)
            rollout.logProbs = rollout.logProbs.map { $0.map { $0 + shift } }
            XCTAssertEqual(ledger.record(rollout), .accepted)
            let request = SequenceRequest(id: task.id, queries: task.prompts, responses: rollout.responses, temperature: 1)
            XCTAssertEqual(ledger.record(try ReferenceScoring.run(request, reference: reference, padID: 0)), .accepted)
            XCTAssertEqual(ledger.record(ScoreResult(id: task.id, scores: rollout.responses.map(PPOLearnerStepTests.reward))), .accepted)
        }
        return (step, try XCTUnwrap(ledger.batch))
    }

    func testOwnBehaviourLogProbsGiveTheOnPolicyStep() throws {
        let (onStep, onEntries) = try prepare(shift: 0)
        let onPolicy = try onStep.learn(from: onEntries)
        let (offStep, offEntries) = try prepare(shift: 0)
        let behaviour = try offStep.learn(from: offEntries, behaviourRatio: true)
        // one minibatch, one epoch: the ratio is exp(new − behaviour) = 1 up to the sampler's rounding
        XCTAssertEqual(onPolicy["ppo/policy/ratio_mean"]!, 1, accuracy: 1e-5)
        XCTAssertEqual(behaviour["ppo/policy/ratio_mean"]!, 1, accuracy: 1e-4)
        for key in ["ppo/loss/policy", "ppo/loss/value", "objective/kl", "env/reward_mean", "ppo/grad_norm"] {
            XCTAssertEqual(behaviour[key]!, onPolicy[key]!, accuracy: 1e-4 * max(1, abs(onPolicy[key]!)), key)
        }
        let a = onStep.update.policy.parameters, b = offStep.update.policy.parameters
        let difference = (0..<a.count).map { abs(a.values.pointer[$0] - b.values.pointer[$0]) }.max()!
        XCTAssertLessThan(difference, 1e-5, "the two updates moved the weights alike")
    }

    func testShiftedBehaviourLogProbsMoveTheRatio() throws {
        let delta: Float = 0.3
        let (step, entries) = try prepare(shift: -delta)  // the behaviour policy found every token less likely
        let metrics = try step.learn(from: entries, behaviourRatio: true)
        XCTAssertEqual(metrics["ppo/policy/ratio_mean"]!, Double(exp(delta)), accuracy: 1e-3)
        XCTAssertGreaterThan(metrics["ppo/policy/clipfrac"]!, 0.25, "e^0.3 lies outside the 0.2 clip range: tokens with a positive advantage are clipped")
        // the KL penalty is still the current policy's: the shift must not reach it
        let (own, ownEntries) = try prepare(shift: 0)
        XCTAssertEqual(metrics["objective/kl"]!, try own.learn(from: ownEntries)["objective/kl"]!, accuracy: 1e-6)
    }
}
