@testable import Models
import Tensor
import TestSupport
import XCTest

/// The same bits whatever the thread count: logits, loss, rewards and every parameter gradient of a
/// GPT-2, a Llama (grouped KV heads, left padding) and a BERT reward model, computed with 1, 2, 3 and 5
/// threads under every instruction set this CPU runs, compared bit for bit with the 1-thread run of the
/// same instruction set. The shapes are large enough that every kernel splits its work: norm backward
/// row blocks, products of 256 rows split over the workers (above `BLAS.smallestSplitCall`), attention
/// heads over workers.
final class ThreadCountInvarianceTests: XCTestCase {
    private static let threadCounts = [1, 2, 3, 5]

    override func tearDown() { Runtime.configure(threads: 2) }

    func testGPT2() throws {
        let config = TransformerConfig(architecture: .gpt2, vocabSize: 301, maxPositions: 64, layers: 2, width: 192, heads: 4)
        try checkCausalLM(config, batch: try TokenBatch(ids: Self.rows(count: 4, length: 64, vocab: 301)))
    }

    func testLlamaWithPadding() throws {
        let config = TransformerConfig(architecture: .llama, vocabSize: 263, maxPositions: 64, layers: 2, width: 192,
                                       heads: 4, kvHeads: 2, ffnWidth: 512, ropeBase: 10_000, tiedEmbeddings: false)
        var rows = Self.rows(count: 4, length: 64, vocab: 263)
        rows[1].removeFirst(13)
        rows[3].removeFirst(30)
        try checkCausalLM(config, batch: try TokenBatch(leftPadding: rows, padID: 0))
    }

    func testBERTRewardModel() throws {
        let config = TransformerConfig(architecture: .bert, vocabSize: 211, maxPositions: 64, layers: 2, width: 192,
                                       heads: 4, ffnWidth: 384, normEps: 1e-12, tiedEmbeddings: true, typeVocabSize: 2)
        var rows = Self.rows(count: 4, length: 64, vocab: 211)
        rows[2].replaceSubrange(40..., with: repeatElement(0, count: 24))  // right padding
        let mask = rows.map { row in row.map { $0 == 0 ? 0 : 1 } }
        let batch = try TokenBatch(ids: rows, positions: nil, mask: mask)
        try forEachInstructionSet { isa in
            var first: (rewards: [Float], trunk: ParameterStore, head: ParameterStore)?
            for threads in Self.threadCounts {
                Runtime.configure(threads: threads)
                let model = SequenceClassifier(config: config, padTokenID: 0)
                model.parameters.initializeRandom(seed: 5, std: 0.2)
                model.head.parameters.initializeRandom(seed: 6, std: 0.2)
                model.parameters.enableGradients()
                model.head.parameters.enableGradients()
                let rewards = try model.rewards(batch, training: true)
                try model.backward(rewards: rewards.indices.map { Float($0 + 1) / 4 })
                let run = (rewards, Self.gradients(model.parameters), Self.gradients(model.head.parameters))
                guard let first else { first = run; continue }
                let what = "BERT, \(isa), \(threads) threads against 1"
                XCTAssertEqual(run.0.map(\.bitPattern), first.rewards.map(\.bitPattern), "\(what): rewards")
                assertSameParameters(run.1, first.trunk, "\(what): trunk gradients")
                assertSameParameters(run.2, first.head, "\(what): head gradients")
            }
        }
    }

    /// Forward (logits), loss and backward (gradients) at every thread count, against the first.
    private func checkCausalLM(_ config: TransformerConfig, batch: TokenBatch) throws {
        try forEachInstructionSet { isa in
            var first: (logits: [Float], loss: Float, gradients: ParameterStore)?
            for threads in Self.threadCounts {
                Runtime.configure(threads: threads)
                let lm = CausalLM(config: config)
                lm.parameters.initializeRandom(seed: 11, std: 0.2)
                lm.enableTraining()
                let logits = lm.backend.download(try lm.forward(batch, training: true),
                                                 count: batch.batch * batch.length * config.vocabSize)
                let loss = try lm.nextTokenLoss()
                try lm.backward()
                let run = (logits, loss, Self.gradients(lm.parameters))
                guard let first else { first = run; continue }
                let what = "\(config.architecture), \(isa), \(threads) threads against 1"
                XCTAssertEqual(run.0.map(\.bitPattern), first.logits.map(\.bitPattern), "\(what): logits")
                XCTAssertEqual(run.1.bitPattern, first.loss.bitPattern, "\(what): loss")
                assertSameParameters(run.2, first.gradients, "\(what): gradients")
            }
        }
    }

    /// Runs `body` under each instruction set this CPU supports.
    private func forEachInstructionSet(_ body: (InstructionSet) throws -> Void) rethrows {
        XCTAssertFalse(InstructionSet.supported.isEmpty)
        for isa in InstructionSet.supported { try InstructionSet.with(isa) { try body(isa) } }
    }

    /// A store whose values are `store`'s gradients (so `assertSameParameters` compares them).
    private static func gradients(_ store: ParameterStore) -> ParameterStore {
        let copy = store.copy()
        let gradients = store.backend.download(store.gradients!.pointer, count: store.count)
        gradients.withUnsafeBufferPointer { store.backend.upload($0, to: copy.values.pointer) }
        return copy
    }

    /// `count` rows of `length` ids in 1..<vocab (0 is the pad id), from a fixed seed.
    private static func rows(count: Int, length: Int, vocab: Int) -> [[Int]] {
        var generator = SplitMix64(seed: 42)
        return (0..<count).map { _ in (0..<length).map { _ in 1 + Int(generator.next() % UInt64(vocab - 1)) } }
    }
}
