import Foundation
import ModelIO
import Models
import Tensor
import TestSupport
import XCTest

/// `GPT2ForSequenceClassification` from transformers on `../shared/fixtures/gpt2-reward-tiny`: the rewards
/// read at each right-padded row's last real token, the Bradley-Terry loss and every gradient.
final class RewardFixtureTests: XCTestCase {
    override func setUp() { Runtime.configure(threads: 2) }

    func testRewardsLossAndGradientsMatchTransformers() throws {
        let dir = TestPaths.fixture("gpt2-reward-tiny")
        let model = try HFSequenceClassifier.load(directory: dir)
        let expected = try SafetensorsFile(url: dir.appendingPathComponent("expected.safetensors"))
        XCTAssertEqual(model.padTokenID, 0)
        let chosen = try TokenBatch(ids: try ModelFixture.rows(expected, "chosen_ids"), positions: nil,
                                    mask: try ModelFixture.rows(expected, "chosen_mask"))
        let rejected = try TokenBatch(ids: try ModelFixture.rows(expected, "rejected_ids"), positions: nil,
                                      mask: try ModelFixture.rows(expected, "rejected_mask"))
        XCTAssertNotNil(chosen.mask, "the fixture's rows are right-padded")

        // loss = mean(−log σ(r_c − r_r)); d loss / d r_c = −σ(r_r − r_c)/B, d loss / d r_r = +σ(r_r − r_c)/B
        let rr = try model.rewards(rejected)
        let rc = try model.rewards(chosen, training: true)
        assertClose(rc, try expected.floats("reward_chosen"), tolerance: 1e-4, "chosen rewards")
        assertClose(rr, try expected.floats("reward_rejected"), tolerance: 1e-4, "rejected rewards")
        let B = Float(rc.count)
        let loss = zip(rc, rr).map { c, r in log1p(exp(-(c - r))) }.reduce(0, +) / B
        XCTAssertEqual(loss, try expected.floats("loss")[0], accuracy: 1e-4, "Bradley-Terry loss")
        let weight = zip(rc, rr).map { c, r in 1 / (1 + exp(c - r)) / B }

        // two training passes share one set of gradients, as one batch of 2B rows would
        try model.backward(rewards: weight.map { -$0 })
        _ = try model.rewards(rejected, training: true)
        try model.backward(rewards: weight)

        var got = try HFCheckpoint.tensors(config: model.config, store: model.parameters, from: .gradients, lmHead: false)
        got["score.weight"] = model.backend.download(model.head.parameters.gradient("weight"), count: model.config.width)
        let names = expected.tensorNames.filter { $0.hasPrefix("grad.") }
        XCTAssertEqual(Set(names.map { String($0.dropFirst(5)) }), Set(got.keys), "gradient keys")
        for name in names {
            guard let tensor = got[String(name.dropFirst(5))] else { continue }
            assertCloseRelative(tensor, try expected.floats(name), relative: 1e-4, name)
        }
    }

    func testSavedClassifierLoadsBackWithTheSameRewards() throws {
        let dir = TestPaths.fixture("gpt2-reward-tiny")
        let model = try HFSequenceClassifier.load(directory: dir)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("reward-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        try HFSequenceClassifier.save(model, to: out)
        XCTAssertTrue(try HFSequenceClassifier.isSequenceClassifier(directory: out))
        let again = try HFSequenceClassifier.load(directory: out)
        let batch = try TokenBatch(ids: [[5, 17, 42, 9, 0, 0], [8, 3, 99, 4, 61, 2]])
        XCTAssertEqual(try again.rewards(batch), try model.rewards(batch))
        XCTAssertEqual(again.padTokenID, 0)
    }
}

private func assertClose(_ actual: [Float], _ expected: [Float], tolerance: Float, _ what: String,
                         file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, what, file: file, line: line)
    actual.withUnsafeBufferPointer { assertClose($0.baseAddress!, expected, tolerance: tolerance, what, file: file, line: line) }
}
