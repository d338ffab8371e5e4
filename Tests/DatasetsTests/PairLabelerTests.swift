@testable import Datasets
import Foundation
import TestSupport
import XCTest

/// `PairLabeler`'s labelers (VADER, an injected reward scorer, none), the seeded tie-break, and the JSON
/// lines `PairRecord` writes read back by `PreferenceData`.
final class PairLabelerTests: XCTestCase {
    func testTheTieBreakIsAFunctionOfSeedAndIndexAndFallsBothWays() {
        let coin = PairTieBreak(seed: 42)
        let draws = (0..<64).map(coin.prefersA(index:))
        XCTAssertEqual(draws, (0..<64).map(PairTieBreak(seed: 42).prefersA(index:)))
        XCTAssertTrue(draws.contains(true) && draws.contains(false))
        XCTAssertNotEqual(draws, (0..<64).map(PairTieBreak(seed: 43).prefersA(index:)))
        // a batch's verdicts start at its first index: the same as judging the whole run at once
        let pairs = (0..<8).map { ResponsePair(prompt: "p", a: "same \($0)", b: "same \($0)") }
        let whole = try! PairLabeler.heuristic.judge(pairs, tieBreak: coin)!
        let halves = try! PairLabeler.heuristic.judge(Array(pairs[..<3]), tieBreak: coin)!
            + PairLabeler.heuristic.judge(Array(pairs[3...]), firstIndex: 3, tieBreak: coin)!
        XCTAssertEqual(whole, halves)
        XCTAssertTrue(whole.allSatisfy(\.tie))
        XCTAssertEqual(whole.map(\.prefersA), Array(draws.prefix(8)))
    }

    func testVaderPrefersTheMorePositiveResponse() throws {
        let directory = TestPaths.models.appendingPathComponent("vader")
        try requireFile(FileManager.default.fileExists(atPath: directory.appendingPathComponent(VaderLexicon.valenceFileName).path),
                        "VADER's lexicons are missing from \(directory.path): run `make models`")
        let labeler = PairLabeler.vader(try VaderSentiment(lexiconDirectory: directory))
        XCTAssertEqual(labeler.name, "vader")
        let pairs = [ResponsePair(prompt: "The day was", a: " terrible, sad and awful.", b: " wonderful and I loved it!"),
                     ResponsePair(prompt: "The day was", a: " great fun.", b: " horrible.")]
        let verdicts = try XCTUnwrap(labeler.judge(pairs, tieBreak: PairTieBreak(seed: 0)))
        XCTAssertFalse(verdicts[0].prefersA)
        XCTAssertTrue(verdicts[1].prefersA)
        XCTAssertLessThan(verdicts[0].scoreA, 0)
        XCTAssertGreaterThan(verdicts[0].scoreB, 0)
        XCTAssertEqual(verdicts[0].scoreB, VaderSentiment(lexicon: try VaderLexicon(directory: directory)).scores(" wonderful and I loved it!").compound)
        XCTAssertFalse(verdicts.contains(where: \.tie))
    }

    func testARewardLabelerScoresPromptPlusResponseWithTheInjectedScorer() throws {
        var seen: [String] = []
        let labeler = PairLabeler.reward(name: "reward:rm") { texts in
            seen += texts
            return texts.map { Double($0.count) }
        }
        XCTAssertEqual(labeler.name, "reward:rm")
        let verdicts = try XCTUnwrap(labeler.judge([ResponsePair(prompt: "Q:", a: " short", b: " much longer")], tieBreak: PairTieBreak(seed: 1)))
        XCTAssertEqual(seen, ["Q: short", "Q: much longer"])
        XCTAssertEqual(verdicts, [PairJudgement(scoreA: 8, scoreB: 14, prefersA: false, tie: false)])

        let miscounted = PairLabeler.reward(name: "reward:bad") { _ in [1] }
        XCTAssertThrowsError(try miscounted.judge([ResponsePair(prompt: "p", a: "a", b: "b")] + [ResponsePair(prompt: "p", a: "a", b: "b")],
                                                  tieBreak: PairTieBreak(seed: 0))) { error in
            XCTAssertEqual(error as? PairLabelerError, .wrongCount(labeler: "reward:bad", scores: 1, texts: 2))
        }
        let broken = PairLabeler.reward(name: "reward:nan") { $0.map { _ in .nan } }
        XCTAssertThrowsError(try broken.judge([ResponsePair(prompt: "p", a: "a", b: "b")], tieBreak: PairTieBreak(seed: 0))) { error in
            XCTAssertEqual(error as? PairLabelerError, .nonFinite(labeler: "reward:nan", index: 0))
        }
    }

    func testNoneLabelsNothing() throws {
        XCTAssertNil(try PairLabeler.none.judge([ResponsePair(prompt: "p", a: "a", b: "b")], tieBreak: PairTieBreak(seed: 0)))
        XCTAssertEqual(PairLabeler.none.name, "none")
    }

    func testLabelledLinesArePairsThatPreferenceDataReadsBack() throws {
        let pairs = [ResponsePair(prompt: "Say \"hi\"\n", a: " hi there", b: " go away"), ResponsePair(prompt: "p", a: " same", b: " same")]
        let verdicts = [PairJudgement(scoreA: 0.5, scoreB: -0.25, prefersA: true, tie: false),
                        PairJudgement(scoreA: 1, scoreB: 1, prefersA: false, tie: true)]
        let text = try zip(pairs, verdicts).map { try PairRecord.line($0, judgement: $1, labeler: "vader") + "\n" }.joined()
        let url = temporaryPath("pair-records", suffix: ".jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        try text.write(to: url, atomically: true, encoding: .utf8)
        let (read, skipped) = try PreferenceData.read(path: url.path, format: .pairs)
        XCTAssertEqual(skipped, 0)
        XCTAssertEqual(read, [PreferencePair(prompt: "Say \"hi\"\n", chosen: " hi there", rejected: " go away"),
                              PreferencePair(prompt: "p", chosen: " same", rejected: " same")])
        let objects = try text.split(separator: "\n").map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertEqual(Set(objects[0].keys), ["prompt", "chosen", "rejected", "chosen_score", "rejected_score", "labeler", "tie", "preferred", "identical"])
        XCTAssertEqual(objects[0]["chosen_score"] as? Double, 0.5)
        XCTAssertEqual(objects[0]["rejected_score"] as? Double, -0.25)
        XCTAssertEqual(objects[0]["preferred"] as? String, "a")
        XCTAssertEqual(objects[1]["preferred"] as? String, "b")
        XCTAssertEqual(objects[1]["tie"] as? Bool, true)
        XCTAssertEqual(objects[1]["identical"] as? Bool, true)
        XCTAssertEqual(objects[0]["identical"] as? Bool, false)
    }

    func testUnlabelledLinesKeepBothResponsesForAPerson() throws {
        let line = try PairRecord.line(ResponsePair(prompt: "p", a: " one", b: " two"), judgement: nil, labeler: "none")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["prompt", "response_a", "response_b", "labeler", "identical"])
        XCTAssertEqual(object["response_a"] as? String, " one")
        XCTAssertEqual(object["response_b"] as? String, " two")
        XCTAssertEqual(object["labeler"] as? String, "none")
    }
}
