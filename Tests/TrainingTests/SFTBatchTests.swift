import Models
import Tensor
import Training
import XCTest

/// `SupervisedBatch` (targets only on the response, padding on the right), `SupervisedTokens.fitted`
/// (TRL's cut) and `LengthGroupedBatches` (every example once an epoch, batches of similar lengths,
/// seeded), checked by hand on small cases.
final class SFTBatchTests: XCTestCase {
    func testTargetsAreTheResponseShiftedLeftAndMinusOneElsewhere() throws {
        let batch = try SupervisedBatch([SupervisedTokens(prompt: [5, 6], response: [7, 8, 9]),
                                         SupervisedTokens(prompt: [3], response: [4])], padID: 0)
        XCTAssertEqual(batch.rows, 2)
        XCTAssertEqual(batch.length, 5)
        XCTAssertEqual(batch.tokens.ids, [5, 6, 7, 8, 9,
                                          3, 4, 0, 0, 0])
        XCTAssertEqual(batch.tokens.mask, [1, 1, 1, 1, 1,
                                           1, 1, 0, 0, 0])
        XCTAssertEqual(batch.tokens.positions, [0, 1, 2, 3, 4,
                                                0, 1, 1, 1, 1])
        // position t predicts ids[t+1]: the prompt's first token predicts the prompt (−1), its last the first
        // response token; the response's last token predicts nothing, nor does the padding
        XCTAssertEqual(batch.targets, [-1, 7, 8, 9, -1,
                                       4, -1, -1, -1, -1])
        XCTAssertEqual(batch.responseTokens, 4)
    }

    func testEmptyPartsAndBadIDsAreTypedErrors() {
        XCTAssertThrowsError(try SupervisedBatch([], padID: 0)) { XCTAssertEqual($0 as? SFTInputError, .empty) }
        XCTAssertThrowsError(try SupervisedBatch([SupervisedTokens(prompt: [1], response: [2]), SupervisedTokens(prompt: [], response: [2])],
                                                 padID: 0)) { XCTAssertEqual($0 as? SFTInputError, .emptyPart(example: 1)) }
        XCTAssertThrowsError(try SupervisedBatch([SupervisedTokens(prompt: [1], response: [-3])], padID: 0)) {
            XCTAssertEqual($0 as? SFTInputError, .tokenID(example: 0, id: -3))
        }
    }

    func testFittingCutsThePromptFromTheLeftThenTheResponseFromTheRight() {
        let example = SupervisedTokens(prompt: [1, 2, 3, 4, 5], response: [6, 7, 8])
        XCTAssertEqual(example.fitted(to: 8), example)
        XCTAssertEqual(example.fitted(to: 6), SupervisedTokens(prompt: [3, 4, 5], response: [6, 7, 8]))
        XCTAssertEqual(example.fitted(to: 3), SupervisedTokens(prompt: [5], response: [6, 7]))
        XCTAssertEqual(example.fitted(to: 1), SupervisedTokens(prompt: [5], response: [6]), "one token of each always remains")
    }

    func lengths(_ n: Int, seed: UInt64) -> [Int] {
        var random = SplitMix64(seed: seed)
        return (0..<n).map { _ in 1 + Int(random.next() % 200) }
    }

    func testEveryExampleOnceAnEpochInBatchesOfSimilarLength() throws {
        let lengths = lengths(203, seed: 1)
        let planner = try LengthGroupedBatches(lengths: lengths, batchSize: 8, seed: 7)
        XCTAssertEqual(planner.batchesPerEpoch, 26)
        for epoch in 0..<3 {
            let batches = planner.epoch(epoch)
            XCTAssertEqual(batches.count, 26)
            XCTAssertEqual(batches.flatMap { $0 }.sorted(), Array(0..<203), "epoch \(epoch): each index exactly once")
            XCTAssertEqual(batches.filter { $0.count < 8 }.map(\.count), [3], "one short batch")
            // one mega-batch holds the whole epoch here: the batches cut its length order into runs
            let ranges = batches.map { batch in (batch.map { lengths[$0] }.min()!, batch.map { lengths[$0] }.max()!) }
                .sorted { $0.1 > $1.1 }
            for (longer, shorter) in zip(ranges, ranges.dropFirst()) { XCTAssertGreaterThanOrEqual(longer.0, shorter.1) }
        }
        XCTAssertNotEqual(planner.epoch(0), planner.epoch(1), "a new shuffle each epoch")
    }

    func testMegaBatchesSortWithinThemselves() throws {
        let lengths = lengths(100, seed: 2)
        let planner = try LengthGroupedBatches(lengths: lengths, batchSize: 5, megaBatches: 4, seed: 3)
        let batches = planner.epoch(0)
        XCTAssertEqual(batches.flatMap { $0 }.sorted(), Array(0..<100))
        let spread = { (batch: [Int]) in Double(batch.map { lengths[$0] }.max()! - batch.map { lengths[$0] }.min()!) }
        let grouped = batches.map(spread).reduce(0, +) / Double(batches.count)
        var random = SplitMix64(seed: 4)
        let shuffled = random.shuffled(Array(0..<100))
        let randomBatches: [[Int]] = stride(from: 0, to: 100, by: 5).map { Array(shuffled[$0..<($0 + 5)]) }
        let plain = randomBatches.map(spread).reduce(0, +) / Double(randomBatches.count)
        XCTAssertLessThan(grouped, plain / 2, "batches of similar lengths: less padding than random batches")
    }

    func testTheOrderIsAFunctionOfTheSeedAndTheEpoch() throws {
        let lengths = lengths(50, seed: 5)
        let a = try LengthGroupedBatches(lengths: lengths, batchSize: 4, seed: 11)
        let b = try LengthGroupedBatches(lengths: lengths, batchSize: 4, seed: 11)
        let c = try LengthGroupedBatches(lengths: lengths, batchSize: 4, seed: 12)
        XCTAssertEqual(a.epoch(2), b.epoch(2))
        XCTAssertNotEqual(a.epoch(0), c.epoch(0))
        XCTAssertThrowsError(try LengthGroupedBatches(lengths: lengths, batchSize: 0, seed: 0)) {
            XCTAssertEqual($0 as? SFTInputError, .size("the batch size", 0))
        }
    }
}
