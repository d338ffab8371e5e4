import Models
import Tensor
import Training
import XCTest

/// The learner's PPO update on a small random policy: its statistics before any step, the direction it
/// moves the policy and the value head, and the ratio guard.
final class PPOUpdateTests: XCTestCase {
    override func setUp() { Runtime.configure(threads: 2) }

    static let config = TransformerConfig(architecture: .llama, vocabSize: 23, maxPositions: 32, layers: 2, width: 16,
                                          heads: 4, kvHeads: 2, ffnWidth: 24, tiedEmbeddings: true)

    struct Setup {
        let update: PPOUpdate
        let batch: RolloutBatch
        let old: (logProbs: [Float], values: [Float])
        let advantages: [Float]
        let returns: [Float]
    }

    func makeSetup(_ settings: PPOHyperparameters) throws -> Setup {
        let policy = CausalLM(config: Self.config)
        policy.parameters.initializeRandom(seed: 5, std: 0.2)
        let update = try PPOUpdate(policy: policy, settings: settings, seed: 9)
        let batch = try RolloutBatch(queries: [[1, 2, 3], [4, 5], [6, 7, 8, 9], [10]],
                                     responses: [[11, 12, 13], [14, 15, 16, 17], [18], [19, 20]], padID: 0)
        let old = try update.score(batch)
        // advantages +1 on the first two rows' tokens, −1 on the others; returns 0.5 everywhere
        let advantages = (0..<(batch.rows * batch.length)).map { i in batch.responseMask[i] * (i / batch.length < 2 ? 1 : -1) }
        let returns = batch.responseMask.map { $0 * 0.5 }
        return Setup(update: update, batch: batch, old: old, advantages: advantages, returns: returns)
    }

    func testFirstMinibatchSeesRatioOneAndTheMeanAdvantage() throws {
        var settings = PPOHyperparameters()
        settings.ppoEpochs = 1
        settings.miniBatchSize = 4
        settings.learningRate = 1e-2
        let s = try makeSetup(settings)
        let stats = try s.update.update(s.batch, oldLogProbs: s.old.logProbs, oldValues: s.old.values,
                                        advantages: s.advantages, returns: s.returns)
        XCTAssertEqual(stats.minibatches, 1)
        XCTAssertEqual(stats.meanRatio, 1, accuracy: 1e-5)
        XCTAssertEqual(stats.approxKL, 0, accuracy: 1e-9)
        XCTAssertEqual(stats.clipFraction, 0)
        // policy loss = −mean_m A·1 over the 10 response tokens: (7 − 3) positive... −(7·1 + 3·(−1))/10
        XCTAssertEqual(stats.policyLoss, -0.4, accuracy: 1e-5)
        XCTAssertGreaterThan(stats.entropy, 0)
    }

    func testUpdateRaisesTheSurrogateAndFitsTheValues() throws {
        var settings = PPOHyperparameters()
        settings.ppoEpochs = 2
        settings.miniBatchSize = 2
        settings.learningRate = 3e-3
        settings.maxGradNorm = 1
        let s = try makeSetup(settings)
        _ = try s.update.update(s.batch, oldLogProbs: s.old.logProbs, oldValues: s.old.values,
                                advantages: s.advantages, returns: s.returns)
        let new = try s.update.score(s.batch)
        var surrogate = 0.0, oldError = 0.0, newError = 0.0
        for i in s.batch.responseMask.indices where s.batch.responseMask[i] != 0 {
            surrogate += Double(s.advantages[i] * (new.logProbs[i] - s.old.logProbs[i]))
            oldError += Double((s.old.values[i] - s.returns[i]) * (s.old.values[i] - s.returns[i]))
            newError += Double((new.values[i] - s.returns[i]) * (new.values[i] - s.returns[i]))
        }
        XCTAssertGreaterThan(surrogate, 0, "tokens with positive advantages became more likely, negative less")
        XCTAssertLessThan(newError, oldError, "the value head moved toward the returns")
        XCTAssertEqual(s.update.optimizer.stepCount, 4)
    }

    func testRatioGuardSkipsTheStep() throws {
        var settings = PPOHyperparameters()
        settings.ppoEpochs = 1
        settings.ratioThreshold = 0.5  // every minibatch's mean ratio (≈ 1) is above it
        let s = try makeSetup(settings)
        let before = s.update.policy.parameters.values.array
        let stats = try s.update.update(s.batch, oldLogProbs: s.old.logProbs, oldValues: s.old.values,
                                        advantages: s.advantages, returns: s.returns)
        XCTAssertEqual(stats.skipped, stats.minibatches)
        XCTAssertEqual(s.update.policy.parameters.values.array, before)
        XCTAssertEqual(s.update.optimizer.stepCount, 0)
    }

    func testRolloutLayout() throws {
        let batch = try RolloutBatch(queries: [[1, 2], [3]], responses: [[4], [5, 6]], padID: 0)
        XCTAssertEqual(batch.length, 4)
        XCTAssertEqual(batch.tokens.ids, [1, 2, 4, 0, 0, 3, 5, 6])
        XCTAssertEqual(batch.tokens.mask, [1, 1, 1, 0, 0, 1, 1, 1])
        XCTAssertEqual(batch.targets, [-1, 4, -1, -1, -1, 5, 6, -1])
        let minibatch = try batch.rows([1])
        XCTAssertEqual(minibatch.tokens.ids, [0, 3, 5, 6])
        XCTAssertEqual(minibatch.targets, [-1, 5, 6, -1])
    }
}
