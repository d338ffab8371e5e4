@testable import Datasets
import Foundation
import TestSupport
import XCTest

/// VADER against vaderSentiment 3.3.2's own scores (vader-expected.json, written by
/// scripts/make_vader_expected.py): every rule's texts, IMDB sentences and reviews, Python's rounding, and the
/// lexicon loader's errors.
final class VaderSentimentTests: XCTestCase {
    struct Case: Decodable { let rule: String; let text: String; let neg: Double; let neu: Double; let pos: Double; let compound: Double }
    struct Rounding: Decodable { let x: String; let digits: Int; let rounded: String }
    struct Expected: Decodable {
        let lexicon_tokens: Int
        let emoji_one_code_point: Int
        let cases: [Case]
        let rounding: [Rounding]
    }

    static let lexiconDirectory = TestPaths.models.appendingPathComponent("vader")

    private func expected() throws -> Expected {
        let url = TestPaths.packageRoot.appendingPathComponent("Tests/DatasetsTests/vader-expected.json")
        return try JSONDecoder().decode(Expected.self, from: Data(contentsOf: url))
    }

    private func analyzer() throws -> VaderSentiment {
        try requireFile(FileManager.default.fileExists(atPath: Self.lexiconDirectory.appendingPathComponent(VaderLexicon.valenceFileName).path),
                        "VADER's lexicons are missing from \(Self.lexiconDirectory.path): run `make models`")
        return try VaderSentiment(lexiconDirectory: Self.lexiconDirectory)
    }

    func testEveryTextScoresAsPythonDoes() throws {
        let expected = try expected(), vader = try analyzer()
        XCTAssertGreaterThanOrEqual(expected.cases.count, 150)
        XCTAssertEqual(Set(expected.cases.map(\.rule)).count > 80, true)
        var worst = 0.0
        for c in expected.cases {
            let s = vader.scores(c.text)
            for (name, got, want) in [("neg", s.neg, c.neg), ("neu", s.neu, c.neu), ("pos", s.pos, c.pos), ("compound", s.compound, c.compound)] {
                worst = max(worst, abs(got - want))
                XCTAssertEqual(got, want, accuracy: 1e-6, "\(name) of [\(c.rule)] \(c.text.prefix(80).debugDescription)")
            }
        }
        print("VADER: \(expected.cases.count) texts, max |diff| \(worst)")
    }

    func testLexiconSizesMatchPython() throws {
        let expected = try expected(), vader = try analyzer()
        XCTAssertEqual(vader.lexicon.tokenCount, expected.lexicon_tokens)
        XCTAssertEqual(vader.lexicon.emojiCount, expected.emoji_one_code_point)
    }

    func testRoundingMatchesPythonRound() throws {
        let cases = try expected().rounding
        XCTAssertGreaterThan(cases.count, 300)
        for c in cases {
            let x = try XCTUnwrap(Double(c.x), c.x), want = try XCTUnwrap(Double(c.rounded), c.rounded)
            XCTAssertEqual(PythonRounding.round(x, digits: c.digits), want, "round(\(c.x), \(c.digits))")
        }
    }

    func testWordsAreComparedByCodePoint() {
        // U+037E GREEK QUESTION MARK is canonically equivalent to ";" for Swift's String, not for Python
        XCTAssertEqual("\u{37E})" as String, ";)" as String)
        XCTAssertNotEqual(CodePoints("\u{37E})".unicodeScalars), CodePoints(";)".unicodeScalars))
        XCTAssertTrue(CodePoints("don't".unicodeScalars).contains("n't"))
        XCTAssertFalse(CodePoints("don\u{2019}t".unicodeScalars).contains("n't"))
    }

    // MARK: - the loader

    private func withLexicons(valence: String, emoji: String = "\u{1F600}\tgrinning face\n",
                              _ body: (URL) throws -> Void) throws {
        let dir = temporaryPath("vader-tests")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try valence.write(to: dir.appendingPathComponent(VaderLexicon.valenceFileName), atomically: true, encoding: .utf8)
        try emoji.write(to: dir.appendingPathComponent(VaderLexicon.emojiFileName), atomically: true, encoding: .utf8)
        try body(dir)
    }

    private func assertMalformed(valence: String, emoji: String = "\u{1F600}\tgrinning face\n", file name: String, line: Int,
                                 mentioning: String, sourceLine: UInt = #line) throws {
        try withLexicons(valence: valence, emoji: emoji) { dir in
            let path = dir.appendingPathComponent(name).path
            XCTAssertThrowsError(try VaderLexicon(directory: dir), line: sourceLine) { error in
                guard case let .malformedLine(errorPath, errorLine, _) = (error as? VaderLexiconError)?.code else {
                    return XCTFail("not a malformed line: \(error)", line: sourceLine)
                }
                XCTAssertEqual(errorPath, path, line: sourceLine)
                XCTAssertEqual(errorLine, line, line: sourceLine)
                let message = "\(error)"
                XCTAssertFalse(message.contains("\n"), message, line: sourceLine)
                for part in [path, "line \(line)", mentioning] {
                    XCTAssertTrue(message.contains(part), "\(part) not in: \(message)", line: sourceLine)
                }
            }
        }
    }

    func testMalformedLinesNameTheFileAndLine() throws {
        let good = "good\t1.9\t0.9\t[2, 2]\r\nbad\t-2.5\t0.5\t[-2, -3]\r\n"
        try assertMalformed(valence: good + "nothing here\r\n", file: VaderLexicon.valenceFileName, line: 3, mentioning: "tab")
        try assertMalformed(valence: good + "fine\tgreat\t1\r\n", file: VaderLexicon.valenceFileName, line: 3, mentioning: "\"great\"")
        try assertMalformed(valence: "x\tnan\n" + good, file: VaderLexicon.valenceFileName, line: 1, mentioning: "finite")
        try assertMalformed(valence: good + "\r\n", file: VaderLexicon.valenceFileName, line: 3, mentioning: "tab")
        try assertMalformed(valence: good + "\t1.0\n", file: VaderLexicon.valenceFileName, line: 3, mentioning: "tab")
        try assertMalformed(valence: good + "fine\t\t1.0\n", file: VaderLexicon.valenceFileName, line: 3, mentioning: "empty value")
        try assertMalformed(valence: good, emoji: "\u{1F600}\tgrinning face\n\n\u{1F601}\tbeaming face\n",
                            file: VaderLexicon.emojiFileName, line: 2, mentioning: "tab")
        try assertMalformed(valence: good, emoji: "\u{1F600}\n", file: VaderLexicon.emojiFileName, line: 1, mentioning: "tab")
    }

    func testLoaderSkipsEmptyLinesAndKeepsTheLastOfADuplicate() throws {
        try withLexicons(valence: "good\t1.9\t0\t[]\r\n\ngood\t-2.5\r\nokay\t0.9\n\n\n") { dir in
            let lexicon = try VaderLexicon(directory: dir)
            XCTAssertEqual(lexicon.tokenCount, 2)
            XCTAssertEqual(lexicon.valence(of: "good"), -2.5)
            XCTAssertEqual(lexicon.emojiCount, 1)
        }
    }

    func testMissingLexiconNamesThePathAndMakeModels() throws {
        let dir = temporaryPath("vader-absent")
        XCTAssertThrowsError(try VaderSentiment(lexiconDirectory: dir)) { error in
            let path = dir.appendingPathComponent(VaderLexicon.valenceFileName).path
            XCTAssertEqual(error as? VaderLexiconError, .missing(path: path))
            XCTAssertTrue("\(error)".contains(path) && "\(error)".contains("make models"), "\(error)")
        }
    }
}
