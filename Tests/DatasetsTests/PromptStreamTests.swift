import Datasets
import Foundation
import ModelIO
import Storage
import TestSupport
import XCTest

/// JSON Lines (plain and gzip) read line by line with file:line errors, and the IMDb prompt stream:
/// first 2-8 tokens of real reviews, a pure function of its position.
final class PromptStreamTests: XCTestCase {
    func temporary(_ name: String, _ text: String) throws -> URL {
        let url = temporaryPath("data", suffix: "-\(name)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testRealIMDbReviewsStreamFromGzip() throws {
        let reviews = try IMDbReviews.load(path: TestPaths.data("imdb-test.jsonl.gz").path)
        XCTAssertEqual(reviews.count, 25_000)
        XCTAssertEqual(reviews.filter { $0.label == 1 }.count, 12_500)
        XCTAssertFalse(reviews.contains { $0.text.contains("<br />") })
    }

    func testMalformedLineNamesFileAndLine() throws {
        let url = try temporary("bad.jsonl", "{\"text\": \"a\", \"label\": 1}\n\n{\"text\": \"b\", \"label\": 0\n{\"text\": \"c\", \"label\": 1}\n")
        XCTAssertThrowsError(try IMDbReviews.load(path: url.path)) {
            XCTAssertEqual($0 as? DataFileError, DataFileError(file: url.path, line: 3, reason: "not valid JSON"))
        }
        XCTAssertEqual(try IMDbReviews.load(path: url.path, skipBadLines: true).map(\.text), ["a", "c"])
        let wrong = try temporary("label.jsonl", "{\"text\": \"a\", \"label\": 7}\n")
        XCTAssertThrowsError(try IMDbReviews.load(path: wrong.path)) {
            XCTAssertEqual($0 as? DataFileError, DataFileError(file: wrong.path, line: 1, reason: "field \"label\" must be 0 or 1"))
        }
        XCTAssertThrowsError(try IMDbReviews.load(path: "/nonexistent.jsonl.gz")) {
            XCTAssertTrue("\($0)".hasPrefix("/nonexistent.jsonl.gz: cannot open it"), "\($0)")
        }
    }

    func testPromptsAreTheFirstTokensAndAFunctionOfPosition() throws {
        let tokenizer = try TokenizerLoader.load(from: TestPaths.data("gpt2"))
        let texts = try IMDbReviews.load(path: TestPaths.data("imdb-test.jsonl.gz").path).prefix(500).map(\.text)
        var stream = try PromptStream(texts: Array(texts), tokenizer: tokenizer, tokens: 2...8, seed: 4)
        let first = stream.next(40)
        XCTAssertEqual(stream.position, 40)
        XCTAssertTrue(first.allSatisfy { (2...8).contains($0.count) })
        XCTAssertGreaterThan(Set(first.map(\.count)).count, 4, "lengths vary over 2...8")
        // each prompt is the start of one of the texts' encodings
        let encodings = texts.map { tokenizer.encode($0, addSpecialTokens: false) }
        for prompt in first { XCTAssertTrue(encodings.contains { $0.starts(with: prompt) }) }
        // resuming at a position continues exactly
        var resumed = try PromptStream(texts: Array(texts), tokenizer: tokenizer, tokens: 2...8, seed: 4, position: 20)
        XCTAssertEqual(resumed.next(20), Array(first[20...]))
        let other = try PromptStream(texts: Array(texts), tokenizer: tokenizer, tokens: 2...8, seed: 5)
        XCTAssertNotEqual(other.prompt(at: 0), first[0])
    }
}
