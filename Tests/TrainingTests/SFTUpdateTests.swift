import Models
import Tensor
import Training
import TestSupport
import XCTest

/// `SFTUpdate` on a tiny random Llama: the gradient it accumulates is the derivative of the
/// token-weighted mean loss over the response tokens (central differences along random directions of
/// all the weights), micro-batches of a batch take the whole batch's step, and steps on a fixed batch
/// lower its loss.
final class SFTUpdateTests: XCTestCase {
    override func setUp() { Runtime.configure(threads: 2) }

    static let config = TransformerConfig(architecture: .llama, vocabSize: 16, maxPositions: 32, layers: 2, width: 16,
                                          heads: 4, kvHeads: 2, ffnWidth: 32, tiedEmbeddings: false)

    func make(lr: Double = 1e-2) throws -> SFTUpdate {
        let model = CausalLM(config: Self.config)
        model.parameters.initializeRandom(seed: 5, std: 0.3)
        return try SFTUpdate(model: model, optimizer: AdamWConfig(schedule: .constant(lr)))
    }

    /// Four examples of different prompt and response lengths (so rows weigh differently per token).
    func examples() -> [SupervisedTokens] {
        var random = SplitMix64(seed: 9)
        func row(_ n: Int) -> [Int] { (0..<n).map { _ in 1 + Int(random.next() % 15) } }
        return [SupervisedTokens(prompt: row(3), response: row(5)), SupervisedTokens(prompt: row(1), response: row(2)),
                SupervisedTokens(prompt: row(4), response: row(1)), SupervisedTokens(prompt: row(2), response: row(6))]
    }

    func testTheGradientIsTheTokenWeightedLossDerivative() throws {
        let update = try make()
        let batch = try SupervisedBatch(examples(), padID: 0)
        _ = try update.accumulateGradients(batch, weight: 1 / Double(batch.responseTokens))
        try FiniteDifference.checkDirections([update.model.parameters], seeds: [100, 101, 102], step: 1e-2, "SFT loss") {
            try update.loss(batch).mean
        }
    }

    func testTheLossIsAMeanOverResponseTokensNotRows() throws {
        let update = try make()
        let all = examples()
        let whole = try update.loss(try SupervisedBatch(all, padID: 0))
        let rows = try all.map { try update.loss(try SupervisedBatch([$0], padID: 0)) }
        XCTAssertEqual(whole.tokens, 14)
        XCTAssertEqual(whole.mean, rows.map(\.sum).reduce(0, +) / 14, accuracy: 1e-5)
        XCTAssertNotEqual(whole.mean, rows.map(\.mean).reduce(0, +) / 4, accuracy: 1e-3, "rows of 1 and 6 tokens weigh by their tokens")
    }

    func testMicroBatchesTakeTheWholeBatchsStep() throws {
        let whole = try make(), chunked = try make()
        let all = examples()
        let a = try whole.step(try SupervisedBatch(all, padID: 0))
        let b = try chunked.step(chunks: [try SupervisedBatch([all[0]], padID: 0), try SupervisedBatch(Array(all[1...2]), padID: 0),
                                          try SupervisedBatch([all[3]], padID: 0)])
        XCTAssertEqual(a.tokens, b.tokens)
        XCTAssertEqual(a.loss, b.loss, accuracy: 1e-6)
        XCTAssertEqual(a.gradNorm, b.gradNorm, accuracy: 1e-4 * a.gradNorm)
        let p = whole.model.parameters.values.pointer, q = chunked.model.parameters.values.pointer
        let difference = (0..<whole.model.parameters.count).map { abs(p[$0] - q[$0]) }.max() ?? 0
        XCTAssertLessThan(difference, 1e-6, "the same step")
        XCTAssertEqual(whole.optimizer.stepCount, 1)
    }

    func testStepsLowerTheLossOfAFixedBatch() throws {
        let update = try make(lr: 3e-2)
        let batch = try SupervisedBatch(examples(), padID: 0)
        let first = try update.step(batch)
        var last = first
        for _ in 0..<20 { last = try update.step(batch) }
        XCTAssertLessThan(last.loss, first.loss - 0.5)
        XCTAssertEqual(last.learningRate, 3e-2)
    }
}
