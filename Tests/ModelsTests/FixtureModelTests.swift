import Foundation
import ModelIO
import Models
import Tensor
import TestSupport
import XCTest

/// The runtime reproduces PyTorch/transformers on the tiny GPT-2 and Llama fixtures: logits, loss,
/// every parameter gradient, and the left-padded case's next-token log-probabilities.
final class FixtureModelTests: XCTestCase {
    override func setUp() { Runtime.configure(threads: 2) }

    func testGPT2TinyLogitsLossAndGradients() throws { try checkLogitsLossAndGradients("gpt2-tiny") }
    func testLlamaTinyLogitsLossAndGradients() throws { try checkLogitsLossAndGradients("llama-tiny") }
    func testGPT2TinyPadded() throws { try checkPadded("gpt2-tiny") }
    func testLlamaTinyPadded() throws { try checkPadded("llama-tiny") }

    private func checkLogitsLossAndGradients(_ name: String) throws {
        let fx = try ModelFixture(name)
        let lm = fx.model
        lm.enableTraining()
        let batch = try TokenBatch(ids: fx.inputIDs)
        let logits = try lm.forward(batch, training: true)
        assertClose(UnsafeBufferPointer(start: logits, count: try fx.expected.info("logits").shape.reduce(1, *)), try fx.expected.floats("logits"), absolute: 1e-4, "\(name) logits")
        let loss = try lm.nextTokenLoss()
        XCTAssertEqual(loss, try fx.expected.floats("loss")[0], accuracy: 1e-4, "\(name) loss")
        try lm.backward()
        let gradients = try HFCheckpoint.tensors(config: lm.config, store: lm.parameters, from: .gradients)
        let expectedNames = fx.expected.tensorNames.filter { $0.hasPrefix("grad.") }
        XCTAssertEqual(Set(expectedNames.map { String($0.dropFirst(5)) }), Set(gradients.keys), "\(name) gradient keys")
        for key in expectedNames {
            let hfKey = String(key.dropFirst(5))
            guard let got = gradients[hfKey] else { continue }
            let want = try fx.expected.floats(key)
            assertClose(got, want, absolute: 1e-4 * largestMagnitude(want), "\(name) \(key)")
        }
    }

    private func checkPadded(_ name: String) throws {
        let fx = try ModelFixture(name)
        let mask = try ModelFixture.rows(fx.expected, "padded.attention_mask")
        let positions = try ModelFixture.rows(fx.expected, "padded.position_ids")
        let batch = try TokenBatch(ids: fx.inputIDs, positions: positions, mask: mask)
        let logprobs = try fx.model.nextTokenLogProbs(batch)
        let expected = try fx.expected.floats("padded.next_token_logprobs")
        let T = fx.inputIDs[0].count
        var compared = 0
        for b in 0..<fx.inputIDs.count {
            for t in 0..<(T - 1) where mask[b][t + 1] != 0 {
                XCTAssertEqual(logprobs[b][t], expected[b * (T - 1) + t], accuracy: 1e-4, "\(name) row \(b) position \(t)")
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, 2 * (T - 1) - 5, "compared the non-pad targets")
        // logits at real positions match too
        let logits = try fx.model.forward(batch)
        let expectedLogits = try fx.expected.floats("padded.logits")
        let V = fx.model.config.vocabSize
        for b in 0..<fx.inputIDs.count {
            for t in 0..<T where mask[b][t] != 0 {
                let offset = (b * T + t) * V
                assertClose(UnsafeBufferPointer(start: logits + offset, count: V), expectedLogits[offset..<(offset + V)], absolute: 1e-4,
                            "\(name) padded logits row \(b) position \(t)")
            }
        }
    }
}
