import Datasets
import XCTest

/// Train/eval splits by line order and by prompt id, and seeded subsamples.
extension PreferenceDataTests {
    func pairs(_ count: Int, groups: [String]? = nil) -> [PreferencePair] {
        (0..<count).map { PreferencePair(prompt: "p\($0)", chosen: "c\($0)", rejected: "r\($0)", group: groups?[$0 % groups!.count]) }
    }

    func testSplitByOrderHoldsOutTheLastShare() throws {
        let all = pairs(2_312)
        let (train, eval) = PreferenceSplit.byOrder(all, evalFraction: 0.1)
        XCTAssertEqual(train.count, 2_081)  // 231.2 held out rounds to 231
        XCTAssertEqual(eval.count, 231)
        XCTAssertEqual(train + eval, all)
        let ten = pairs(10)
        XCTAssertEqual(PreferenceSplit.byOrder(ten, evalFraction: 0.3).train, Array(ten[..<7]))
        XCTAssertEqual(PreferenceSplit.byOrder(ten, evalFraction: 0.3).eval, Array(ten[7...]))
        XCTAssertEqual(PreferenceSplit.byOrder(ten, evalFraction: 0).train, ten)
        XCTAssertEqual(PreferenceSplit.byOrder(ten, evalFraction: 0).eval, [])
        XCTAssertEqual(PreferenceSplit.byOrder([], evalFraction: 0.1).train, [])
    }

    func testSplitByGroupKeepsEachPromptOnOneSideWithIdsInNumericOrder() throws {
        // ids sorted numerically are 2, 9, 10, 100 (as text "9" would sort last)
        let all = pairs(12, groups: ["10", "9", "100", "2"])
        let (train, eval) = PreferenceSplit.byGroup(all, evalFraction: 0.25)
        XCTAssertEqual(eval.map(\.prompt), ["p2", "p6", "p10"])
        XCTAssertTrue(eval.allSatisfy { $0.group == "100" })
        XCTAssertEqual(train.map(\.prompt), all.filter { $0.group != "100" }.map(\.prompt))
        XCTAssertEqual(Set(PreferenceSplit.byGroup(all, evalFraction: 0.5).eval.compactMap(\.group)), ["10", "100"])

        let (dexperts, _) = try PreferenceData.read(path: try sharedFile("dexperts-human-judgments.jsonl.gz"), format: .dexperts)
        let split = PreferenceSplit.byGroup(dexperts, evalFraction: 0.1)
        let trainIds = Set(split.train.compactMap { Int($0.group!) }), evalIds = Set(split.eval.compactMap { Int($0.group!) })
        XCTAssertEqual(trainIds.count, 91)
        XCTAssertEqual(evalIds.count, 10)
        XCTAssertLessThan(trainIds.max()!, evalIds.min()!)
        XCTAssertEqual(split.train.count + split.eval.count, 2_582)
    }

    func testSampleIsSeededStableAndInOrder() {
        let ten = pairs(10)
        // SplitMix64(seed: 7) Fisher-Yates over 0..<10, first 4, sorted: written out in Python by hand
        XCTAssertEqual(PreferenceSplit.sample(ten, count: 4, seed: 7).map(\.prompt), ["p1", "p5", "p8", "p9"])
        XCTAssertEqual(PreferenceSplit.sample(ten, count: 4, seed: 8).map(\.prompt), ["p0", "p3", "p5", "p7"])
        XCTAssertEqual(PreferenceSplit.sample(ten, count: 4, seed: 7), PreferenceSplit.sample(ten, count: 4, seed: 7))
        XCTAssertEqual(PreferenceSplit.sample(ten, count: 10, seed: 7), ten)
        XCTAssertEqual(PreferenceSplit.sample(ten, count: 50, seed: 7), ten)
        XCTAssertEqual(PreferenceSplit.sample(ten, count: 0, seed: 7), [])
        let big = pairs(1_000), drawn = PreferenceSplit.sample(big, count: 100, seed: 3)
        XCTAssertEqual(drawn.count, 100)
        let positions = drawn.map { big.firstIndex(of: $0)! }
        XCTAssertEqual(positions, positions.sorted())
        XCTAssertEqual(Set(positions).count, 100)
    }
}
