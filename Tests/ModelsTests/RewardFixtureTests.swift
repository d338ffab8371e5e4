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
        let pass = try RewardFixturePass(model, expected: expected)
        assertClose(pass.chosen, try expected.floats("reward_chosen"), absolute: 1e-4, "chosen rewards")
        assertClose(pass.rejected, try expected.floats("reward_rejected"), absolute: 1e-4, "rejected rewards")
        XCTAssertEqual(pass.loss, try expected.floats("loss")[0], accuracy: 1e-4, "Bradley-Terry loss")

        var got = try HFCheckpoint.tensors(config: model.config, store: model.parameters, from: .gradients, lmHead: false)
        got["score.weight"] = model.backend.download(model.head.parameters.gradient("weight"), count: model.config.width)
        let names = expected.tensorNames.filter { $0.hasPrefix("grad.") }
        XCTAssertEqual(Set(names.map { String($0.dropFirst(5)) }), Set(got.keys), "gradient keys")
        for name in names {
            guard let tensor = got[String(name.dropFirst(5))] else { continue }
            let want = try expected.floats(name)
            assertClose(tensor, want, absolute: 1e-4 * largestMagnitude(want), name)
        }
    }

    func testSavedClassifierLoadsBackWithTheSameRewards() throws {
        let dir = TestPaths.fixture("gpt2-reward-tiny")
        let model = try HFSequenceClassifier.load(directory: dir)
        let out = temporaryPath("reward")
        defer { try? FileManager.default.removeItem(at: out) }
        try HFSequenceClassifier.save(model, to: out)
        XCTAssertTrue(try HFSequenceClassifier.isSequenceClassifier(directory: out))
        let again = try HFSequenceClassifier.load(directory: out)
        let batch = try TokenBatch(ids: [[5, 17, 42, 9, 0, 0], [8, 3, 99, 4, 61, 2]])
        XCTAssertEqual(try again.rewards(batch), try model.rewards(batch))
        XCTAssertEqual(again.padTokenID, 0)
    }
}
