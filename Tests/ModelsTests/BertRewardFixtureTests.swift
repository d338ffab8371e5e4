import Foundation
import ModelIO
import Models
import Tensor
import TestSupport
import XCTest

/// `BertForSequenceClassification` from transformers on `../shared/fixtures/bert-reward-tiny`: the rewards
/// from the pooled [CLS] of right-padded rows, the Bradley-Terry loss and every gradient, and a save that
/// loads back with the same rewards.
final class BertRewardFixtureTests: XCTestCase {
    override func setUp() { Runtime.configure(threads: 2) }

    private static let fixture = TestPaths.fixture("bert-reward-tiny")

    func testRewardsLossAndGradientsMatchTransformers() throws {
        let model = try HFSequenceClassifier.load(directory: Self.fixture)
        XCTAssertEqual(model.config.architecture, .bert)
        XCTAssertEqual(model.pooling, .cls)
        let expected = try SafetensorsFile(url: Self.fixture.appendingPathComponent("expected.safetensors"))
        let pass = try RewardFixturePass(model, expected: expected)
        assertClose(pass.chosen, try expected.floats("reward_chosen"), absolute: 1e-4, "chosen rewards")
        assertClose(pass.rejected, try expected.floats("reward_rejected"), absolute: 1e-4, "rejected rewards")
        XCTAssertEqual(pass.loss, try expected.floats("loss")[0], accuracy: 1e-4, "Bradley-Terry loss")

        var got = try HFCheckpoint.tensors(config: model.config, store: model.parameters, from: .gradients, lmHead: false)
        got["classifier.weight"] = model.backend.download(model.head.parameters.gradient("weight"), count: model.config.width)
        got["classifier.bias"] = model.backend.download(model.head.parameters.gradient("bias"), count: 1)
        let names = expected.tensorNames.filter { $0.hasPrefix("grad.") }
        XCTAssertEqual(Set(names.map { String($0.dropFirst(5)) }), Set(got.keys), "gradient keys")
        for name in names {
            guard let tensor = got[String(name.dropFirst(5))] else { continue }
            let want = try expected.floats(name)
            if want.map(abs).max()! < 1e-9 {
                // zero in exact arithmetic: a key bias shifts every score of a query alike (softmax ignores it),
                // and the head's bias cancels in r_chosen − r_rejected; both sides hold only rounding noise
                XCTAssertLessThan(tensor.map(abs).max()!, 1e-6, "\(name) is zero up to rounding")
                continue
            }
            assertClose(tensor, want, absolute: 1e-4 * largestMagnitude(want), name)
        }
    }

    func testPaddingDoesNotChangeARowsReward() throws {
        let model = try HFSequenceClassifier.load(directory: Self.fixture)
        let row = [101, 7, 42, 9, 102]
        let alone = try model.rewards(TokenBatch(ids: [row]))
        let padded = try model.rewards(TokenBatch(ids: [row + [0, 0, 0], [101, 5, 6, 7, 8, 9, 10, 102]], positions: nil,
                                                  mask: [[1, 1, 1, 1, 1, 0, 0, 0], Array(repeating: 1, count: 8)]))
        XCTAssertEqual(padded[0], alone[0], accuracy: 1e-5)
    }

    func testSavedClassifierLoadsBackWithTheSameRewardsAndPooling() throws {
        let model = try HFSequenceClassifier.load(directory: Self.fixture)
        let out = temporaryPath("bert-reward")
        defer { try? FileManager.default.removeItem(at: out) }
        try HFSequenceClassifier.save(model, to: out)
        let again = try HFSequenceClassifier.load(directory: out)
        let batch = try TokenBatch(ids: [[101, 17, 42, 9, 102, 0], [101, 3, 99, 4, 61, 102]], positions: nil,
                                   mask: [[1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 1, 1]])
        XCTAssertEqual(try again.rewards(batch), try model.rewards(batch))
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("config.json"))) as? [String: Any])
        XCTAssertEqual(config["architectures"] as? [String], ["BertForSequenceClassification"])
        XCTAssertNil(config["rlhf_pooling"], "[CLS] is BERT's own pooling")

        let mean = SequenceClassifier(config: model.config, parameters: model.parameters, head: model.head,
                                      padTokenID: 0, pooling: .mean)
        try HFSequenceClassifier.save(mean, to: out)
        let meanAgain = try HFSequenceClassifier.load(directory: out)
        XCTAssertEqual(meanAgain.pooling, .mean)
        XCTAssertEqual(try meanAgain.rewards(batch), try mean.rewards(batch))
        XCTAssertNotEqual(try mean.rewards(batch), try model.rewards(batch))
    }
}

/// The gradient of Σ_b w_b · reward_b through each pooling, against central differences along a random
/// direction over every trunk, pooler and head weight (the fixture checks [CLS] exactly; this covers mean
/// and last too).
final class SequencePoolingGradientTests: XCTestCase {
    override func setUp() { Runtime.configure(threads: 2) }

    func testEveryPoolingsGradientIsTheRewardsDerivative() throws {
        for pooling in RewardPooling.allCases {
            let base = try HFSequenceClassifier.load(directory: TestPaths.fixture("bert-reward-tiny"))
            let model = SequenceClassifier(config: base.config, parameters: base.parameters, head: base.head,
                                           padTokenID: 0, pooling: pooling)
            let batch = try TokenBatch(ids: [[101, 17, 42, 9, 102, 0, 0], [101, 3, 99, 4, 61, 8, 102]], positions: nil,
                                       mask: [[1, 1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1, 1]])
            let weights: [Float] = [0.7, -1.3]
            _ = try model.rewards(batch, training: true)
            model.parameters.zeroGradients()
            model.head.parameters.zeroGradients()
            _ = try model.rewards(batch, training: true)
            try model.backward(rewards: weights)
            try FiniteDifference.checkDirections([model.parameters, model.head.parameters], seeds: [7], step: 0.05, "\(pooling)") {
                zip(try model.rewards(batch), weights).map { Double($0) * Double($1) }.reduce(0, +)
            }
        }
    }
}
