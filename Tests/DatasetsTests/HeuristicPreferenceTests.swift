@testable import Datasets
import XCTest

/// `HeuristicPreference` against the notebook's `simulate_human_preference` (seed 000, section 3): each
/// expected score below was computed with the notebook's own Python lines (`len(r.split())`,
/// `set(p.lower().split()) & set(r.lower().split())`, `r.split(".")`).
final class HeuristicPreferenceTests: XCTestCase {
    private let prompt = "Write a short poem about nature."

    private func score(_ response: String, prompt: String? = nil) -> HeuristicPreference.Score {
        HeuristicPreference.score(prompt: prompt ?? self.prompt, response: response)
    }

    private func words(_ n: Int) -> String { Array(repeating: "word", count: n).joined(separator: " ") }

    func testTheLengthPointIsForTwentyToOneHundredWords() {
        XCTAssertEqual(score(words(19)).length, 0)
        XCTAssertEqual(score(words(20)).length, 1)
        XCTAssertEqual(score(words(100)).length, 1)
        XCTAssertEqual(score(words(101)).length, 0)
        // words are whitespace runs, any whitespace: tabs and newlines split, repeated spaces do not add words
        XCTAssertEqual(score(words(10) + "\n\t  " + words(10)).length, 1)
    }

    func testOverlapCountsDistinctLowerCasedPromptWordsWithTheirPunctuation() {
        // {write, a, short, poem, about, nature.} ∩ {a, poem, about, the, nature, of, things}: "nature." is not "nature"
        XCTAssertEqual(score("A poem about the NATURE of things"), .init(length: 0, overlap: 3, shortSentences: 0))
        XCTAssertEqual(score("poem poem poem POEM").overlap, 1)
        // Python's lower(): a final capital sigma lowers to ς
        XCTAssertEqual(score("σας HELLO", prompt: "ΣΑΣ hello"), .init(length: 0, overlap: 2, shortSentences: 1))
    }

    func testShortSentencesAreDotSeparatedPiecesOfUnderThreeWordsEmptyOnesIncluded() {
        XCTAssertEqual(score("Hi. This is fine. Ok").shortSentences, 2)
        XCTAssertEqual(score("The cat sat on the mat.").shortSentences, 1)  // the empty piece after the last "."
        XCTAssertEqual(score("").total, -1)
        XCTAssertEqual(score(words(20) + ".").total, 0)
    }

    func testTheTotalAddsLengthAndOverlapAndSubtractsShortSentences() {
        let response = "Write about nature. Nature is a short poem about trees and rivers and the sky above us all day long, which I write for you now"
        XCTAssertEqual(score(response), .init(length: 1, overlap: 6, shortSentences: 0))
        XCTAssertEqual(score(response).total, 7)
        XCTAssertEqual(score("Hi. This is fine. Ok").total, -2)
    }

    func testTheHigherScoreWinsAndEqualScoresAreASeededTie() throws {
        let long = "Write about nature. Nature is a short poem about trees and rivers and the sky above us all day long, which I write for you now"
        let pairs = [ResponsePair(prompt: prompt, a: long, b: "Ok."), ResponsePair(prompt: prompt, a: "Ok.", b: long),
                     ResponsePair(prompt: prompt, a: "Hi.", b: "Ok.")]
        let verdicts = try XCTUnwrap(PairLabeler.heuristic.judge(pairs, tieBreak: PairTieBreak(seed: 7)))
        XCTAssertEqual(verdicts[0], PairJudgement(scoreA: 7, scoreB: -2, prefersA: true, tie: false))
        XCTAssertEqual(verdicts[1], PairJudgement(scoreA: -2, scoreB: 7, prefersA: false, tie: false))
        XCTAssertTrue(verdicts[2].tie)
        XCTAssertEqual(verdicts[2].prefersA, PairTieBreak(seed: 7).prefersA(index: 2))
    }
}
