import Models
import Tensor
import TestSupport
import XCTest

/// Whole-model gradients against central finite differences of the loss, on small random models: an
/// untied Llama with grouped KV heads and a left-padded batch, and a GPT-2 (the fixtures cover tied heads).
final class ModelGradientCheckTests: XCTestCase {
    override func setUp() { Runtime.configure(threads: 2) }

    func testUntiedLlamaWithPadding() throws {
        let config = TransformerConfig(architecture: .llama, vocabSize: 37, maxPositions: 16, layers: 2, width: 16,
                                       heads: 4, kvHeads: 2, ffnWidth: 24, ropeBase: 10_000, tiedEmbeddings: false)
        try check(config, batch: TokenBatch(leftPadding: [[3, 9, 27, 1, 5, 8], [4, 20, 11]], padID: 0))
    }

    func testGPT2() throws {
        let config = TransformerConfig(architecture: .gpt2, vocabSize: 41, maxPositions: 16, layers: 2, width: 16, heads: 2)
        try check(config, batch: TokenBatch(ids: [[1, 7, 30, 2, 9], [40, 3, 3, 12, 6]]))
    }

    private func check(_ config: TransformerConfig, batch: TokenBatch) throws {
        let lm = CausalLM(config: config)
        lm.parameters.initializeRandom(seed: 11, std: 0.3)
        lm.enableTraining()
        try lm.forward(batch, training: true)
        _ = try lm.nextTokenLoss()
        try lm.backward()
        func loss() throws -> Double {
            try lm.forward(batch, training: true)
            return Double(try lm.nextTokenLoss())
        }
        let checked = try FiniteDifference.check([("", lm.parameters)], step: 1e-2, samples: 3, "\(config.architecture)", loss: loss)
        XCTAssertEqual(checked, 3 * lm.parameters.specs.count)
    }
}
