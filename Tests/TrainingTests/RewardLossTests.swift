import Foundation
import ModelIO
import Models
import Tensor
import TestSupport
import Training
import XCTest

/// The reward-model losses: Bradley-Terry equals transformers' on the bert-reward-tiny fixture, both
/// losses' gradients equal central differences, the margin shifts the loss, and accuracy counts ties as
/// wrong; `RewardRow` cuts from the left keeping the special tokens.
final class RewardLossTests: XCTestCase {
    func testBradleyTerryEqualsTheFixturesLoss() throws {
        let expected = try SafetensorsFile(url: TestPaths.fixture("bert-reward-tiny").appendingPathComponent("expected.safetensors"))
        let chosen = try expected.floats("reward_chosen").map(Double.init), rejected = try expected.floats("reward_rejected").map(Double.init)
        let result = RewardLoss.bradleyTerry(chosen: chosen, rejected: rejected)
        XCTAssertEqual(result.loss, Double(try expected.floats("loss")[0]), accuracy: 1e-6)
        XCTAssertEqual(result.accuracy, Double(zip(chosen, rejected).filter { $0 > $1 }.count) / Double(chosen.count))
    }

    func testGradientsAreTheLossDerivatives() {
        let chosen = [0.3, -1.2, 2.0], rejected = [0.1, 0.4, 2.5], margins = [0.5, 0.0, -0.25]
        let bt = RewardLoss.bradleyTerry(chosen: chosen, rejected: rejected, margins: margins)
        let all = chosen + rejected, h = 1e-6
        for i in all.indices {
            let numeric = FiniteDifference.derivative(all, at: i, step: h) {
                RewardLoss.bradleyTerry(chosen: Array($0[..<3]), rejected: Array($0[3...]), margins: margins).loss
            }
            XCTAssertEqual(bt.gradient[i], numeric, accuracy: 1e-8, "bradley-terry \(i)")
        }
        let logits = [0.7, -2.0, 0.0, 3.1], labels = [1, 0, 1, 0]
        let bce = RewardLoss.binaryCrossEntropy(logits: logits, labels: labels)
        for i in logits.indices {
            let numeric = FiniteDifference.derivative(logits, at: i, step: h) {
                RewardLoss.binaryCrossEntropy(logits: $0, labels: labels).loss
            }
            XCTAssertEqual(bce.gradient[i], numeric, accuracy: 1e-8, "bce \(i)")
        }
        XCTAssertEqual(bce.accuracy, 0.5, "0.7 → 1 and −2 → 0 are right; 0 is not above 0 (label 1) and 3.1 (label 0) are wrong")
    }

    func testTheMarginAndTheLimits() {
        let plain = RewardLoss.bradleyTerry(chosen: [1], rejected: [0])
        XCTAssertEqual(plain.loss, log1p(exp(-1)), accuracy: 1e-12)
        XCTAssertEqual(RewardLoss.bradleyTerry(chosen: [1], rejected: [0], margins: [1]).loss, log(2), accuracy: 1e-12)
        XCTAssertEqual(RewardLoss.bradleyTerry(chosen: [0.5], rejected: [0.5]).accuracy, 0, "a tie is not a right ranking")
        let far = RewardLoss.bradleyTerry(chosen: [-800], rejected: [800])
        XCTAssertEqual(far.loss, 1600, accuracy: 1e-9, "no overflow far from the decision")
        XCTAssertTrue(RewardLoss.binaryCrossEntropy(logits: [900], labels: [0]).loss.isFinite)
    }

    func testRowsAreCutFromTheLeftKeepingTheSpecialTokens() {
        let row = RewardRow(plain: Array(1...10), prefix: [101], suffix: [102], maxLength: 6)
        XCTAssertEqual(row.ids, [101, 7, 8, 9, 10, 102])
        XCTAssertTrue(row.truncated)
        let short = RewardRow(plain: [5, 6], prefix: [101], suffix: [102], maxLength: 6)
        XCTAssertEqual(short.ids, [101, 5, 6, 102])
        XCTAssertFalse(short.truncated)
        XCTAssertEqual(RewardRow(plain: [1, 2, 3], prefix: [], suffix: [], maxLength: 2).ids, [2, 3])
    }
}

/// `RewardModelUpdate` on the bert-reward-tiny fixture: pair steps raise a fixed batch's margin,
/// labelled steps lower its cross-entropy, padded scoring equals scoring alone, and only the trunk and
/// head get optimizer state.
final class RewardModelUpdateTests: XCTestCase {
    override func setUp() { Runtime.configure(threads: 2) }

    private func model() throws -> SequenceClassifier { try HFSequenceClassifier.load(directory: TestPaths.fixture("bert-reward-tiny")) }

    func testPairStepsRaiseTheMarginOfAFixedBatch() throws {
        let update = try RewardModelUpdate(model: try model(), optimizer: AdamWConfig(schedule: .constant(1e-3), weightDecay: 0.01), padID: 0)
        let chosen = [[101, 5, 9, 102], [101, 7, 7, 7, 102]], rejected = [[101, 6, 102], [101, 8, 3, 4, 2, 1, 102]]
        func margin() throws -> Double {
            let r = try RewardBatch.rewards(of: update.model, rows: chosen + rejected, padID: 0, batchSize: 4)
            return (r[0] - r[2]) + (r[1] - r[3])
        }
        let before = try margin()
        var losses: [Double] = []
        for _ in 0..<8 { losses.append(try update.step(chosen: chosen, rejected: rejected).loss) }
        XCTAssertGreaterThan(try margin(), before + 0.1)
        XCTAssertLessThan(losses.last!, losses.first!)
    }

    func testLabelledStepsLowerTheCrossEntropy() throws {
        let update = try RewardModelUpdate(model: try model(), optimizer: AdamWConfig(schedule: .constant(1e-3)), padID: 0)
        let texts = [[101, 11, 12, 102], [101, 13, 102], [101, 14, 15, 16, 102]], labels = [1, 0, 1]
        var losses: [Double] = []
        for _ in 0..<8 { losses.append(try update.step(texts: texts, labels: labels).loss) }
        XCTAssertLessThan(losses.last!, losses.first! - 0.05)
    }

    func testLengthGroupsCoverEveryItemOnceShortestFirst() {
        let lengths = [40, 5, 38, 6, 7, 41, 39, 5]
        let groups = LengthGroups.plan(lengths: lengths, overhead: 16)
        XCTAssertEqual(groups.flatMap { $0 }.sorted(), Array(lengths.indices))
        XCTAssertEqual(groups.count, 2, "the short ones and the long ones")
        XCTAssertEqual(Set(groups[0]), [1, 3, 4, 7])
        XCTAssertEqual(LengthGroups.plan(lengths: lengths, overhead: 1 << 30).count, 1, "a pass that costs more than padding")
        XCTAssertEqual(LengthGroups.plan(lengths: [], overhead: 1), [])
    }

    func testAStepInLengthGroupsIsTheWholePaddedBatchsStep() throws {
        let chosen = [[101, 5, 9, 102], [101] + Array(1...30) + [102], [101, 7, 102]]
        let rejected = [[101, 6, 102], [101] + Array(2...29) + [102], [101, 8, 3, 102]]
        let texts = chosen + rejected, labels = [1, 0, 1, 0, 0, 1]
        for pairs in [true, false] {
            var updates: [RewardModelUpdate] = []
            for overhead in [1 << 30, 0] {
                // ε ≫ |g| makes AdamW's first step lr·g/(|g| + ε) ≈ g: linear in the gradient, so rounding-level
                // differences in tiny gradients cannot flip a ±lr step
                let config = AdamWConfig(schedule: .constant(10), epsilon: 10, weightDecay: 0)
                let update = try RewardModelUpdate(model: try model(), optimizer: config, padID: 0, maxGradNorm: nil)
                update.groupOverhead = overhead
                if pairs { _ = try update.step(chosen: chosen, rejected: rejected) } else { _ = try update.step(texts: texts, labels: labels) }
                updates.append(update)
            }
            let whole = updates[0].model.parameters, grouped = updates[1].model.parameters
            var worst: Float = 0
            for i in 0..<whole.count { worst = max(worst, abs(whole.values.pointer[i] - grouped.values.pointer[i])) }
            XCTAssertLessThan(worst, 1e-6, "pairs \(pairs)")
            let start = try model().parameters.values.array
            let moved = start.indices.map { abs(whole.values.pointer[$0] - start[$0]) }.max()!
            XCTAssertGreaterThan(moved, 1e-4, "the step moved the weights (by far more than the two steps differ)")
        }
    }

    func testPaddedPassesScoreEachRowAsAlone() throws {
        let m = try model()
        let rows = [[101, 5, 102], [101, 7, 8, 9, 10, 102], [101, 4, 4, 102]]
        let together = try RewardBatch.rewards(of: m, rows: rows, padID: 0, batchSize: 3)
        for (i, row) in rows.enumerated() {
            XCTAssertEqual(together[i], try RewardBatch.rewards(of: m, rows: [row], padID: 0, batchSize: 1)[0], accuracy: 1e-5)
        }
    }
}
