import Models
import Tensor
@testable import Training
import TestSupport
import XCTest

/// `PPOUpdate` with a separate critic (a `SequenceClassifier` read at every position, OpenRLHF style) on
/// tiny random models: what it trains, the gradient its value loss sends into the critic against finite
/// differences of the value loss written out here, and a critic that copies the policy's trunk and value
/// head scoring the same old values as the value-head update.
final class PPOCriticTests: XCTestCase {
    override func setUp() { Runtime.configure(threads: 2) }

    /// The policy of `PPOUpdateTests` (Llama, vocabulary 23, tied embeddings).
    static let policyConfig = PPOUpdateTests.config
    /// A critic of another architecture and width, with a larger vocabulary.
    static let criticConfig = TransformerConfig(architecture: .gpt2, vocabSize: 29, maxPositions: 16, layers: 1, width: 12,
                                                heads: 2)

    static func batch() throws -> RolloutBatch {
        try RolloutBatch(queries: [[1, 2, 3], [4, 5], [6, 7, 8, 9], [10]],
                         responses: [[11, 12, 13], [14, 15, 16, 17], [18], [19, 20]], padID: 0)
    }

    static func policy() -> CausalLM {
        let policy = CausalLM(config: policyConfig)
        policy.parameters.initializeRandom(seed: 5, std: 0.2)
        return policy
    }

    static func critic(_ config: TransformerConfig = criticConfig) -> SequenceClassifier {
        let critic = SequenceClassifier(config: config, padTokenID: 0)
        critic.parameters.initializeRandom(seed: 7, std: 0.3)
        critic.head.parameters.initializeRandom(seed: 8, std: 0.3)
        return critic
    }

    func testUpdateTrainsTheCriticAndAttachesNoValueHead() throws {
        var settings = PPOHyperparameters()
        settings.ppoEpochs = 2
        settings.miniBatchSize = 2
        settings.learningRate = 3e-3
        settings.maxGradNorm = 1
        let policy = Self.policy(), critic = Self.critic(), batch = try Self.batch()
        let update = try PPOUpdate(policy: policy, critic: critic, settings: settings, seed: 9)
        XCTAssertNil(policy.valueHead)
        XCTAssertNil(update.valueHead)
        XCTAssertTrue(update.critic === critic)
        XCTAssertEqual(update.optimizers.count, 2)
        XCTAssertEqual(update.optimizer.groups.map { $0.store === policy.parameters }, [true])
        XCTAssertEqual(update.criticOptimizer?.groups.map(\.store).map(ObjectIdentifier.init),
                       [ObjectIdentifier(critic.parameters), ObjectIdentifier(critic.head.parameters)])

        let old = try update.score(batch)
        XCTAssertEqual(old.values, try critic.tokenScores(batch.tokens, training: false))
        let trunk = critic.parameters.values.array, head = critic.head.parameters.values.array
        let actor = policy.parameters.values.array
        let returns = batch.responseMask.map { $0 * 0.5 }
        let advantages = (0..<(batch.rows * batch.length)).map { i in batch.responseMask[i] * (i / batch.length < 2 ? 1 : -1) }
        let stats = try update.update(batch, oldLogProbs: old.logProbs, oldValues: old.values, advantages: advantages,
                                      returns: returns)
        XCTAssertNotEqual(critic.parameters.values.array, trunk, "the critic's trunk stepped")
        XCTAssertNotEqual(critic.head.parameters.values.array, head, "the critic's score head stepped")
        XCTAssertNotEqual(policy.parameters.values.array, actor, "the policy stepped")
        XCTAssertNil(policy.valueHead)
        XCTAssertEqual(update.optimizer.stepCount, 4)
        XCTAssertEqual(update.criticOptimizer?.stepCount, 4)
        XCTAssertGreaterThan(stats.gradNorm, 0)
        XCTAssertGreaterThan(stats.criticGradNorm, 0)

        let new = try update.score(batch)
        var oldError = 0.0, newError = 0.0
        for i in batch.responseMask.indices where batch.responseMask[i] != 0 {
            oldError += Double((old.values[i] - returns[i]) * (old.values[i] - returns[i]))
            newError += Double((new.values[i] - returns[i]) * (new.values[i] - returns[i]))
        }
        XCTAssertLessThan(newError, oldError, "the critic moved toward the returns")
        XCTAssertEqual(new.values, try critic.tokenScores(batch.tokens, training: false))
    }

    func testRatioGuardSkipsTheCriticToo() throws {
        var settings = PPOHyperparameters()
        settings.ppoEpochs = 1
        settings.ratioThreshold = 0.5  // every minibatch's mean ratio (≈ 1) is above it
        let policy = Self.policy(), critic = Self.critic(), batch = try Self.batch()
        let update = try PPOUpdate(policy: policy, critic: critic, settings: settings, seed: 9)
        let old = try update.score(batch)
        let trunk = critic.parameters.values.array, head = critic.head.parameters.values.array
        let stats = try update.update(batch, oldLogProbs: old.logProbs, oldValues: old.values,
                                      advantages: batch.responseMask, returns: batch.responseMask)
        XCTAssertEqual(stats.skipped, stats.minibatches)
        XCTAssertEqual(critic.parameters.values.array, trunk)
        XCTAssertEqual(critic.head.parameters.values.array, head)
        XCTAssertEqual(update.criticOptimizer?.stepCount, 0)
        XCTAssertEqual(stats.criticGradNorm, 0)
    }

    func testCriticWithASmallerVocabularyIsRefused() throws {
        var config = Self.criticConfig
        config.vocabSize = Self.policyConfig.vocabSize - 1
        XCTAssertThrowsError(try PPOUpdate(policy: Self.policy(), critic: Self.critic(config), settings: PPOHyperparameters(),
                                           seed: 0)) { error in
            XCTAssertEqual(error as? PPOInputError,
                           .criticVocabularyTooSmall(critic: config.vocabSize, policy: Self.policyConfig.vocabSize))
        }
    }

    /// The gradient `PPOUpdate` accumulates in the critic from one minibatch's loss against central
    /// differences of c_v · ½ · mean_m max((v − R)², (clip(v, v_old ± ε_v) − R)²), written out here
    /// from TRL's formula. Old values and returns are placed around the critic's values so some tokens
    /// take the unclipped side, some the clipped one (no gradient), and some sit inside the clip range.
    func testCriticGradientMatchesFiniteDifferencesOfTheValueLoss() throws {
        var settings = PPOHyperparameters()
        settings.valueCoefficient = 0.7
        settings.valueClipRange = 0.2
        let critic = Self.critic(), batch = try Self.batch()
        let update = try PPOUpdate(policy: Self.policy(), critic: critic, settings: settings, seed: 1)
        let old = try update.score(batch)
        let T = batch.length
        var oldValues = old.values, returns = old.values
        for i in oldValues.indices {
            switch i / T {
            case 0: oldValues[i] += 0.05; returns[i] += 0.3  // inside the clip range
            case 1: oldValues[i] += 0.6; returns[i] += 1  // clipped to v + 0.4: the unclipped error is larger
            case 2: oldValues[i] += 0.6; returns[i] -= 1  // the clipped error is larger: no gradient
            default: returns[i] -= 0.5
            }
        }
        let rows = [2, 1, 3, 0], minibatch = try batch.rows(rows)
        let advantages = batch.responseMask
        let loss = try update.minibatchLoss(minibatch, rows: rows, in: batch, oldLogProbs: old.logProbs,
                                            oldValues: oldValues, advantages: advantages, returns: returns)
        try update.backward(loss, minibatch: minibatch)

        let mask = minibatch.responseMask, oldV = batch.gather(oldValues, rows: rows), R = batch.gather(returns, rows: rows)
        let eps = settings.valueClipRange, c = settings.valueCoefficient
        func valueLoss() throws -> Double {
            let v = try critic.tokenScores(minibatch.tokens, training: false)
            var sum = 0.0, count = 0.0
            for i in mask.indices where mask[i] != 0 {
                let vi = Double(v[i]), o = Double(oldV[i]), r = Double(R[i])
                let clipped = min(max(vi, o - eps), o + eps)
                sum += 0.5 * max((vi - r) * (vi - r), (clipped - r) * (clipped - r))
                count += 1
            }
            return c * sum / count
        }
        XCTAssertEqual(loss.value * c, try valueLoss(), accuracy: 1e-6, "PPOLoss's value term is the formula above")
        try FiniteDifference.check([("trunk", critic.parameters), ("score", critic.head.parameters)], "value loss",
                                   loss: valueLoss)
    }

    /// A critic whose trunk is a copy of the policy's trunk and whose head is a copy of its value head
    /// scores the same old values (and the same log-probs) as the value-head update.
    func testCriticCopyingTheValueHeadModelScoresTheSameValues() throws {
        let config = Self.policyConfig, batch = try Self.batch()
        let withHead = Self.policy()
        let valueHead = withHead.attachValueHead()
        valueHead.parameters.initializeRandom(seed: 3, std: 0.3)
        valueHead.parameters.value("bias")[0] = 0.25
        let headUpdate = try PPOUpdate(policy: withHead, settings: PPOHyperparameters(), seed: 0)

        let critic = SequenceClassifier(config: config, parameters:
            ParameterStore(specs: ParameterLayout.specs(for: config, lmHead: false), backend: CPUBackend.shared),
                                        head: ScalarHead(width: config.width, bias: true), padTokenID: 0)
        for (target, source) in [(critic.parameters, withHead.parameters), (critic.head.parameters, valueHead.parameters)] {
            for spec in target.specs {
                let from = try XCTUnwrap(source.spec(named: spec.name), spec.name)
                XCTAssertEqual(from.shape, spec.shape)
                target.value(spec.name).update(from: source.value(spec.name), count: spec.count)
            }
        }
        let policy = CausalLM(config: config, parameters: withHead.parameters.copy())
        let criticUpdate = try PPOUpdate(policy: policy, critic: critic, settings: PPOHyperparameters(), seed: 0)
        XCTAssertNil(policy.valueHead)

        let a = try headUpdate.score(batch), b = try criticUpdate.score(batch)
        XCTAssertEqual(a.values.count, batch.rows * batch.length)
        XCTAssertEqual(b.values.count, a.values.count)
        for i in a.values.indices {
            XCTAssertEqual(b.values[i], a.values[i], accuracy: 1e-5, "value at \(i)")
            XCTAssertEqual(b.logProbs[i], a.logProbs[i], accuracy: 1e-5, "log-prob at \(i)")
        }
        XCTAssertGreaterThan(a.values.map(abs).max() ?? 0, 0.01, "the values compared are not all near zero")
    }
}
