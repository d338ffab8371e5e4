import Foundation
import ModelIO
import Models
import XCTest

/// What the reward fixtures (`gpt2-reward-tiny`, `bert-reward-tiny`) check, run once: the chosen and
/// rejected rows' rewards, the Bradley-Terry loss mean(−log σ(r_c − r_r)), and its gradient taken into
/// the model by two training passes that share one set of gradients, as one batch of 2B rows would
/// (d loss / d r_c = −σ(r_r − r_c)/B, d loss / d r_r = +σ(r_r − r_c)/B).
struct RewardFixturePass {
    let chosen: [Float], rejected: [Float], loss: Float

    /// Runs `model` on the right-padded rows of `expected` and backpropagates the loss.
    init(_ model: SequenceClassifier, expected: SafetensorsFile, file: StaticString = #filePath, line: UInt = #line) throws {
        let chosenBatch = try TokenBatch(ids: try ModelFixture.rows(expected, "chosen_ids"), positions: nil,
                                         mask: try ModelFixture.rows(expected, "chosen_mask"))
        let rejectedBatch = try TokenBatch(ids: try ModelFixture.rows(expected, "rejected_ids"), positions: nil,
                                           mask: try ModelFixture.rows(expected, "rejected_mask"))
        XCTAssertNotNil(chosenBatch.mask, "the fixture's rows are right-padded", file: file, line: line)
        rejected = try model.rewards(rejectedBatch)
        chosen = try model.rewards(chosenBatch, training: true)
        let B = Float(chosen.count)
        loss = zip(chosen, rejected).map { c, r in log1p(exp(-(c - r))) }.reduce(0, +) / B
        let weight = zip(chosen, rejected).map { c, r in 1 / (1 + exp(c - r)) / B }
        try model.backward(rewards: weight.map { -$0 })
        _ = try model.rewards(rejectedBatch, training: true)
        try model.backward(rewards: weight)
    }
}
