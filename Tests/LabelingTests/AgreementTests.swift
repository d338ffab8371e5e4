@testable import Labeling
import XCTest

/// Kappa and the majority vote against values worked by hand (the arithmetic is in the comments).
final class AgreementTests: XCTestCase {
    func testCohenKappaOfTwoAnnotators() throws {
        // r1: a a a a b b b t t a;  r2: a a b a b b a t b a
        // agreement on items 1 2 4 5 6 8 10: p_o = 7/10
        // r1 shares a .5 b .3 t .2; r2 shares a .5 b .4 t .1: p_e = .25 + .12 + .02 = .39
        // κ = (.7 − .39) / (1 − .39) = .31 / .61 = 31/61
        let first: [Choice] = [.a, .a, .a, .a, .b, .b, .b, .tie, .tie, .a]
        let second: [Choice] = [.a, .a, .b, .a, .b, .b, .a, .tie, .b, .a]
        XCTAssertEqual(try XCTUnwrap(Agreement.cohen(first, second)), 31.0 / 61, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(Agreement.cohen(first, first)), 1, accuracy: 1e-12)
        XCTAssertNil(Agreement.cohen([.a, .a], [.a, .a]), "every label the same: chance agreement is total, κ undefined")

        var judgements: [Judgement] = []
        for (i, (x, y)) in zip(first, second).enumerated() {
            judgements += [Judgement(pair: Int64(i + 1), annotator: "ann", choice: x), Judgement(pair: Int64(i + 1), annotator: "bo", choice: y)]
        }
        judgements.append(Judgement(pair: 11, annotator: "ann", choice: .a))  // judged by one annotator only: not compared
        judgements.append(Judgement(pair: 12, annotator: "ann", choice: .skip))
        judgements.append(Judgement(pair: 12, annotator: "bo", choice: .a))    // a skip is not a label: not compared
        let kappa = try XCTUnwrap(Agreement.kappa(judgements))
        XCTAssertEqual(kappa.method, "cohen")
        XCTAssertEqual(kappa.pairs, 10)
        XCTAssertEqual(try XCTUnwrap(kappa.value), 31.0 / 61, accuracy: 1e-12)
    }

    func testFleissKappaOfThreeAnnotators() throws {
        // counts [a, b, tie] of 3 raters on 4 items: [3,0,0] [2,1,0] [1,1,1] [0,3,0]
        // P_i = (Σ n² − 3) / 6: 1, 2/6, 0, 1 → P̄ = (7/3) / 4 = 7/12
        // p_a = 6/12, p_b = 5/12, p_tie = 1/12 → P̄e = (36 + 25 + 1) / 144 = 31/72
        // κ = (7/12 − 31/72) / (1 − 31/72) = (11/72) / (41/72) = 11/41
        XCTAssertEqual(try XCTUnwrap(Agreement.fleiss([[3, 0, 0], [2, 1, 0], [1, 1, 1], [0, 3, 0]])), 11.0 / 41, accuracy: 1e-12)
        let labels: [[Choice]] = [[.a, .a, .a], [.a, .b, .a], [.tie, .a, .b], [.b, .b, .b]]
        var judgements: [Judgement] = []
        for (i, row) in labels.enumerated() {
            for (who, choice) in zip(["ann", "bo", "cy"], row) { judgements.append(Judgement(pair: Int64(i + 1), annotator: who, choice: choice)) }
        }
        judgements.append(Judgement(pair: 5, annotator: "ann", choice: .b))  // not judged by all three: not compared
        let kappa = try XCTUnwrap(Agreement.kappa(judgements))
        XCTAssertEqual(kappa.method, "fleiss")
        XCTAssertEqual(kappa.pairs, 4)
        XCTAssertEqual(try XCTUnwrap(kappa.value), 11.0 / 41, accuracy: 1e-12)
        XCTAssertNil(Agreement.kappa(Array(judgements.prefix(1))), "one annotator: no agreement to measure")
    }

    func testMajorityVoteDropsTiesAndTiedVotes() {
        let j = { (pair: Int64, who: String, choice: Choice) in Judgement(pair: pair, annotator: who, choice: choice) }
        let outcomes = MajorityVote.outcomes([
            j(1, "x", .a), j(1, "y", .a), j(1, "z", .b),      // a wins 2-1
            j(2, "x", .a), j(2, "y", .b),                     // 1-1: dropped
            j(3, "x", .tie), j(3, "y", .tie), j(3, "z", .a),  // tie has the most votes: dropped
            j(4, "x", .b), j(4, "y", .skip),                  // b wins 1-0; the skip is no vote
            j(5, "x", .skip),                                 // no vote at all: no outcome
        ])
        XCTAssertEqual(outcomes, [
            MajorityVote.Outcome(pair: 1, winner: .a, a: 2, b: 1, tie: 0), MajorityVote.Outcome(pair: 2, winner: nil, a: 1, b: 1, tie: 0),
            MajorityVote.Outcome(pair: 3, winner: nil, a: 1, b: 0, tie: 2), MajorityVote.Outcome(pair: 4, winner: .b, a: 0, b: 1, tie: 0),
        ])
    }

    func testFormBodyDecodesWhatBrowsersPost() {
        XCTAssertEqual(FormBody.fields("annotator=Ann+Lee%21&csrf=ab12&csrf=second&empty=&flag"),
                       ["annotator": "Ann Lee!", "csrf": "ab12", "empty": "", "flag": ""])
        XCTAssertEqual(FormBody.fields("bad=%zz&ok=1"), ["ok": "1"], "a value that does not decode is left out")
    }
}
