import Foundation
import TestSupport
import XCTest

/// `rlhf reward score --function vader` through the built binary: VADER's compound score as vaderSentiment 3.3.2
/// computes it (Tests/DatasetsTests/vader-expected.json), plain and --json, from --text, --text-file and standard
/// input; the lexicon folder from the flag, $RLHF_VADER_DIR or models/vader; bad combinations and a missing
/// lexicon as one `error:` line with status 2.
final class VaderRewardCommandTests: XCTestCase {
    private static let lexicon = TestPaths.models.appendingPathComponent("vader")

    /// Python's compound score of each rule text in vader-expected.json, by text.
    private func expectedCompound() throws -> [String: Double] {
        struct Case: Decodable { let text: String; let compound: Double }
        struct Expected: Decodable { let cases: [Case] }
        let url = TestPaths.packageRoot.appendingPathComponent("Tests/DatasetsTests/vader-expected.json")
        let cases = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: url)).cases
        return Dictionary(cases.map { ($0.text, $0.compound) }, uniquingKeysWith: { a, _ in a })
    }

    private func rewards(_ run: RLHFBinary.Run, json: Bool, file: StaticString = #filePath, line: UInt = #line) throws -> [Double] {
        XCTAssertEqual(run.status, 0, run.stderr, file: file, line: line)
        XCTAssertEqual(run.stderr, "", file: file, line: line)
        XCTAssertTrue(run.stdout.hasSuffix("\n"), file: file, line: line)
        return try run.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { text in
            if json {
                let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
                XCTAssertEqual(Array(object.keys), ["reward"], file: file, line: line)
                return try XCTUnwrap(object["reward"] as? Double, file: file, line: line)
            }
            return try XCTUnwrap(Double(text), String(text), file: file, line: line)
        }
    }

    /// Runs `rlhf reward score ARGUMENTS` in `directory` with `environment` changes (nil removes a variable;
    /// `RLHF_VADER_DIR` is removed unless set here) and `input` on standard input.
    private func score(_ arguments: [String], input: String? = nil, environment: [String: String?] = [:],
                       directory: URL? = nil) throws -> RLHFBinary.Run {
        try RLHFBinary.run(RLHFBinary.url(besideBundleOf: Self.self), ["reward", "score"] + arguments,
                           environment: ["RLHF_VADER_DIR": nil].merging(environment) { $1 }, in: directory, input: input)
    }

    private func requireLexicon() throws {
        try requireFile(FileManager.default.fileExists(atPath: Self.lexicon.appendingPathComponent("vader_lexicon.txt").path),
                        "VADER's lexicons are missing from \(Self.lexicon.path): run `make models`")
    }

    func testCompoundOfEachTextPlainAndJSON() throws {
        try requireLexicon()
        let expected = try expectedCompound()
        let texts = ["The book was good.", "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!", "The movie was not very good.",
                     "good good but good good", "Catch utf-8 emoji such as \u{1F498} and \u{1F48B} and \u{1F601}", "", "!!!",
                     "The book was only kind of good."]
        let want = try texts.map { try XCTUnwrap(expected[$0], $0) }
        XCTAssertTrue(want.contains { $0 < 0 } && want.contains { $0 > 0.9 } && want.contains(0))
        let arguments = ["--function", "vader", "--vader-lexicon", Self.lexicon.path] + texts.flatMap { ["--text", $0] }
        for json in [false, true] {
            let got = try rewards(try score(arguments + (json ? ["--json"] : [])), json: json)
            XCTAssertEqual(got.count, texts.count)
            for (k, (g, w)) in zip(got, want).enumerated() { XCTAssertEqual(g, w, accuracy: 1e-6, "\(texts[k]) json \(json)") }
        }
    }

    func testTextFileStandardInputAndWhereTheLexiconIsFound() throws {
        try requireLexicon()
        let expected = try expectedCompound()
        let a = "Sentiment analysis has never been this good!", b = "It was the kiss of death for them"
        let file = temporaryPath("vader", suffix: ".txt")
        try a.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let want = [try XCTUnwrap(expected[a]), try XCTUnwrap(expected[b])]
        // the flag; $RLHF_VADER_DIR; the default models/vader under the working folder
        let runs = [
            try score(["--function", "vader", "--vader-lexicon", Self.lexicon.path, "--text-file", file.path, "--text-file", "-"], input: b),
            try score(["--function", "vader", "--text-file", file.path, "--text-file", "-"], input: b,
                      environment: ["RLHF_VADER_DIR": Self.lexicon.path], directory: FileManager.default.temporaryDirectory),
            try score(["--function", "vader", "--text-file", file.path, "--text-file", "-"], input: b,
                      directory: Self.lexicon.deletingLastPathComponent().deletingLastPathComponent()),
        ]
        for run in runs {
            let got = try rewards(run, json: false)
            XCTAssertEqual(got.count, 2)
            for (g, w) in zip(got, want) { XCTAssertEqual(g, w, accuracy: 1e-6) }
        }
    }

    func testMissingLexiconIsOneLineNamingThePathAndMakeModels() throws {
        let absent = temporaryPath("no-vader").path
        assertRefused(try score(["--function", "vader", "--vader-lexicon", absent, "--text", "good"]),
                      mentioning: [absent + "/vader_lexicon.txt", "make models"])
        assertRefused(try score(["--function", "vader", "--text", "good"], environment: ["RLHF_VADER_DIR": absent]),
                      mentioning: [absent, "make models"])
    }

    func testBadCombinationsAreOneLineAndStatusTwo() throws {
        let cases: [([String], [String])] = [
            (["--function", "vader", "--ids", "1,2"], ["--ids needs --model"]),
            (["--function", "vader", "--model", "somewhere", "--text", "hi"], ["--model DIR or --function NAME", "only one"]),
            (["--text", "hi"], ["--model DIR or --function NAME"]),
            (["--function", "vader", "--text", "hi", "--chat"], ["--chat needs --model"]),
            (["--function", "vader", "--text", "hi", "--tokenizer", "x"], ["--tokenizer and --chat-template go with --model"]),
            (["--model", "somewhere", "--vader-lexicon", "x", "--text", "hi"], ["--vader-lexicon goes with --function vader"]),
            (["--function", "sentiment", "--text", "hi"], ["sentiment"]),
            (["--function", "vader"], ["--text or --text-file"]),
        ]
        for (arguments, mentions) in cases { assertRefused(try score(arguments), mentioning: mentions) }
    }
}
