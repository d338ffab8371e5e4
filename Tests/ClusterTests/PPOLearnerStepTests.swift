import ClusterCore
import Generation
import Models
import PPO
import Tensor
import Training
import Wire
import XCTest

/// The learner's step end to end on a tiny random model with a toy reward (the share of response tokens
/// that are token 5): rollouts sampled by `RolloutSampling`, reference log-probs by `ReferenceScoring`,
/// an iteration's ledger filled in shuffled order, then `PPOLearnerStep.learn`. The policy must learn.
final class PPOLearnerStepTests: XCTestCase {
    override func setUp() { Runtime.configure(threads: 2) }

    static let config = TransformerConfig(architecture: .llama, vocabSize: 12, maxPositions: 32, layers: 2, width: 16,
                                          heads: 4, kvHeads: 2, ffnWidth: 32, tiedEmbeddings: true)
    static let sampling = SamplingSettings(temperature: 1, topK: 0, topP: 1, minP: 0, maxNewTokens: 6, stopTokens: [])

    static func reward(_ response: [Int]) -> Float { Float(response.filter { $0 == 5 }.count) / Float(response.count) }

    /// A policy of the tiny config and a frozen reference (the same weights with the same seed).
    static func models(referenceSeed: UInt64 = 21) -> (policy: CausalLM, reference: CausalLM) {
        let policy = CausalLM(config: config)
        policy.parameters.initializeRandom(seed: 21, std: 0.3)
        let reference = CausalLM(config: config)
        reference.parameters.initializeRandom(seed: referenceSeed, std: 0.3)
        reference.freeze()
        return (policy, reference)
    }

    /// The tests' PPO settings: a large learning rate, clipping at 1.
    static func settings(miniBatch: Int, epochs: Int) -> PPOHyperparameters {
        var settings = PPOHyperparameters()
        settings.learningRate = 1e-2
        settings.miniBatchSize = miniBatch
        settings.ppoEpochs = epochs
        settings.maxGradNorm = 1
        return settings
    }

    func run(iterations: Int, klCoefficient: Double, advantage: AdvantageEstimator = .gae, k: Int = 1) throws -> (first: Double, last: Double, kl: Double) {
        // first: the reward before any update; last: the mean of the last three iterations
        let (policy, reference) = Self.models()
        let settings = Self.settings(miniBatch: 8, epochs: 4)
        let step = try PPOLearnerStep(update: PPOUpdate(policy: policy, settings: settings, seed: 3),
                                      klController: KLController(initial: klCoefficient, mode: .fixed),
                                      advantage: advantage, samplesPerPrompt: k, padID: 0)
        let generator = Generator(model: policy, padID: 0)
        var rng = SplitMix64(seed: 77)
        var rewards: [Double] = [], kl = 0.0
        for iteration in 0..<iterations {
            let prompts = (0..<(16 / k)).flatMap { _ -> [[Int]] in
                let prompt = (0..<2).map { _ in 1 + Int(rng.next() % 11) }
                return Array(repeating: prompt, count: k)
            }
            let tasks = (0..<4).map { i -> RolloutTask in
                let id = TaskID(iteration: iteration, index: i)
                return RolloutTask(id: id, policyVersion: iteration, prompts: Array(prompts[(i * 4)..<(i * 4 + 4)]),
                                   seed: id.seed(runSeed: 1), sampling: Self.sampling)
            }
            var ledger = IterationLedger(iteration: iteration, tasks: tasks)
            for task in tasks.reversed() {
                let rollout = try RolloutSampling.run(task, generator: generator, version: iteration)
                XCTAssertEqual(ledger.record(rollout), .accepted)
                let request = SequenceRequest(id: task.id, queries: task.prompts, responses: rollout.responses, temperature: 1)
                XCTAssertEqual(ledger.record(try ReferenceScoring.run(request, reference: reference, padID: 0)), .accepted)
                XCTAssertEqual(ledger.record(ScoreResult(id: task.id, scores: rollout.responses.map(Self.reward))), .accepted)
            }
            let metrics = try step.learn(from: XCTUnwrap(ledger.batch))
            rewards.append(metrics["env/reward_mean"]!)
            kl = metrics["objective/kl"]!
            XCTAssertEqual(metrics["objective/kl_coef"], klCoefficient)
        }
        print("rewards \(advantage): \(rewards.map { String(format: "%.2f", $0) }.joined(separator: " "))")
        let lastThree = rewards.suffix(3).reduce(0, +) / 3
        return (rewards[0], lastThree, kl)
    }

    func testGAEPolicyLearnsTheToyReward() throws {
        let (first, last, kl) = try run(iterations: 12, klCoefficient: 0.05)
        XCTAssertLessThan(first, 0.25, "token 5 starts rare")
        XCTAssertGreaterThan(last, first + 0.2, "mean reward rose from \(first) to \(last)")
        XCTAssertGreaterThan(kl, 0, "the policy moved away from the reference")
    }

    func testTheKLPenaltyHoldsThePolicyNearTheReference() throws {
        let loose = try run(iterations: 8, klCoefficient: 0.0)
        let tight = try run(iterations: 8, klCoefficient: 3.0)
        XCTAssertLessThan(tight.kl, loose.kl / 2, "KL with β = 3 (\(tight.kl)) against β = 0 (\(loose.kl))")
        XCTAssertLessThan(tight.last, loose.last, "a strong penalty slows the reward's rise")
    }

    func testRLOOPolicyLearnsTheToyReward() throws {
        let (first, last, _) = try run(iterations: 12, klCoefficient: 0.05, advantage: .rloo, k: 4)
        XCTAssertGreaterThan(last, first + 0.2, "mean reward rose from \(first) to \(last)")
    }
}
