import Models
import Tensor
import Training
import TestSupport
import XCTest

/// `DPOUpdate` on a tiny random Llama: the gradient it sends through the policy is the derivative of its
/// loss (checked along random directions of all the weights by central differences), and steps on a
/// fixed batch raise the implicit reward margin and the accuracy.
final class DPOUpdateTests: XCTestCase {
    override func setUp() { Runtime.configure(threads: 2) }

    static let config = TransformerConfig(architecture: .llama, vocabSize: 16, maxPositions: 32, layers: 2, width: 16,
                                          heads: 4, kvHeads: 2, ffnWidth: 32, tiedEmbeddings: false)

    func make(_ kind: DPOLossKind, lr: Double = 1e-2) throws -> (DPOUpdate, RolloutBatch, [Double]) {
        let policy = CausalLM(config: Self.config)
        policy.parameters.initializeRandom(seed: 5, std: 0.3)
        let reference = CausalLM(config: Self.config, parameters: policy.parameters.copy())
        // the policy starts away from its reference, so the loss's gradient is not at its symmetric point
        policy.parameters.values.pointer[3] += 0.2
        var rng = SplitMix64(seed: 9)
        func row(_ n: Int) -> [Int] { (0..<n).map { _ in 1 + Int(rng.next() % 15) } }
        let prompts = [row(3), row(2), row(4)], chosen = [row(4), row(2), row(3)], rejected = [row(2), row(5), row(3)]
        let update = try DPOUpdate(policy: policy, reference: reference, optimizer: AdamWConfig(schedule: .constant(lr)),
                                   beta: 0.5, kind: kind)
        let batch = try DPOUpdate.batch(prompts: prompts, chosen: chosen, rejected: rejected, padID: 0)
        return (update, batch, try update.referenceLogProbs(batch))
    }

    func testTheGradientIsTheLossDerivative() throws {
        for kind in DPOLossKind.allCases {
            let (update, batch, reference) = try make(kind)
            _ = try update.accumulateGradients(batch, referenceLogProbs: reference)
            // a unit step of 1e-2 over all the weights: small per weight, large against float32 rounding
            try FiniteDifference.checkDirections([update.policy.parameters], seeds: [100, 101, 102], step: 1e-2, "\(kind)") {
                try update.loss(batch, referenceLogProbs: reference).loss
            }
        }
    }

    /// A batch stepped in chunks of whole pairs takes the step the whole batch takes.
    func testChunksOfPairsTakeTheWholeBatchsStep() throws {
        for kind in DPOLossKind.allCases {
            let (whole, batch, reference) = try make(kind)
            let (chunked, _, _) = try make(kind)
            let a = try whole.step(batch, referenceLogProbs: reference)
            let n = batch.rows / 2
            func pairs(_ range: Range<Int>) throws -> (batch: RolloutBatch, referenceLogProbs: [Double]) {
                (try batch.rows(range.map { $0 } + range.map { $0 + n }),
                 range.map { reference[$0] } + range.map { reference[$0 + n] })
            }
            let b = try chunked.step(chunks: [try pairs(0..<1), try pairs(1..<n)])
            XCTAssertEqual(a.loss, b.loss, accuracy: 1e-6)
            XCTAssertEqual(a.margin, b.margin, accuracy: 1e-6)
            XCTAssertEqual(a.gradNorm, b.gradNorm, accuracy: 1e-4 * a.gradNorm)
            let p = whole.policy.parameters.values.pointer, q = chunked.policy.parameters.values.pointer
            let difference = (0..<whole.policy.parameters.count).map { abs(p[$0] - q[$0]) }.max() ?? 0
            XCTAssertLessThan(difference, 1e-6, "\(kind): the same step")
        }
    }

    func testStepsRaiseTheMarginOnAFixedBatch() throws {
        let (update, batch, reference) = try make(.sigmoid, lr: 3e-2)
        let first = try update.step(batch, referenceLogProbs: reference)
        var last = first
        for _ in 0..<15 { last = try update.step(batch, referenceLogProbs: reference) }
        XCTAssertLessThan(last.loss, first.loss - 0.1, "\(first.loss) → \(last.loss)")
        XCTAssertGreaterThan(last.margin, first.margin)
        XCTAssertEqual(last.accuracy, 1)
        XCTAssertGreaterThan(first.gradNorm, 0)
    }

    func testBadBatches() {
        XCTAssertThrowsError(try DPOUpdate.batch(prompts: [[1]], chosen: [[2]], rejected: [[]], padID: 0)) {
            XCTAssertEqual($0 as? DPOInputError, .emptyResponse(pair: 0))
        }
        XCTAssertThrowsError(try DPOUpdate.batch(prompts: [[1], [2]], chosen: [[2]], rejected: [[3], [4]], padID: 0)) {
            XCTAssertEqual(($0 as? DPOInputError)?.description, "chosen has 1 values for 2 pairs")
        }
    }
}
