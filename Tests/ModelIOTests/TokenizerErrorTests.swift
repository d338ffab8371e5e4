import Foundation
@testable import ModelIO
import TestSupport
import XCTest

/// Files of the wrong kind give typed errors that name the file.
final class TokenizerErrorTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = temporaryPath("tok-errors")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func write(_ name: String, _ text: String) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    private func assertError(_ expression: @autoclosure () throws -> Any, names url: URL, matches check: (TokenizerError.Code) -> Bool,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            guard let error = error as? TokenizerError else {
                return XCTFail("not a TokenizerError: \(error)", file: file, line: line)
            }
            XCTAssertTrue(check(error.code), "\(error)", file: file, line: line)
            XCTAssertTrue(error.description.contains(url.lastPathComponent), error.description, file: file, line: line)
        }
    }

    func testUnigramTokenizerJSONIsUnsupported() throws {
        let url = try write("tokenizer.json", #"{"model": {"type": "Unigram", "vocab": [["a", 0.0]], "unk_id": 0}}"#)
        assertError(try TokenizerLoader.load(from: url), names: url) { if case .unsupported = $0 { return true } else { return false } }
        assertError(try ByteLevelBPETokenizer(tokenizerJSONAt: url), names: url) { if case .unsupported = $0 { return true } else { return false } }
        assertError(try WordPieceTokenizer(tokenizerJSONAt: url), names: url) { if case .unsupported = $0 { return true } else { return false } }
    }

    func testVocabJSONThatIsNotAMapIsMalformed() throws {
        _ = try write("merges.txt", "#version: 0.2\na b\n")
        let list = try write("vocab.json", #"["a", "b", "ab"]"#)
        assertError(try TokenizerLoader.load(from: list), names: list) { if case .malformed = $0 { return true } else { return false } }
        let strings = try write("vocab.json", #"{"a": "0", "b": 1}"#)
        assertError(try TokenizerLoader.load(from: strings), names: strings) { if case .malformed = $0 { return true } else { return false } }
    }

    func testInvalidJSONIsReported() throws {
        let url = try write("tokenizer.json", #"{"model": {"type": "BPE", "vocab": {"a": 0"#)
        assertError(try TokenizerLoader.load(from: url), names: url) { if case .invalidJSON = $0 { return true } else { return false } }
    }

    func testBadMergeLineIsMalformed() throws {
        _ = try write("vocab.json", #"{"a": 0, "b": 1, "ab": 2}"#)
        let merges = try write("merges.txt", "#version: 0.2\na b c\n")
        assertError(try TokenizerLoader.load(from: folder), names: merges) { if case .malformed = $0 { return true } else { return false } }
    }

    func testTruncatedTokenizerBinIsTruncated() throws {
        let full = try Data(contentsOf: TokenizerFixture.tok512)
        for length in [2, 100, full.count - 1] {
            let url = folder.appendingPathComponent("tok512-cut-\(length).bin")
            try full.prefix(length).write(to: url)
            assertError(try Llama2cTokenizer(contentsOf: url, vocabSize: 512), names: url) { if case .truncated = $0 { return true } else { return false } }
        }
        let whole = folder.appendingPathComponent("tok512.bin")
        try full.write(to: whole)
        assertError(try Llama2cTokenizer(contentsOf: whole, vocabSize: 513), names: whole) { if case .truncated = $0 { return true } else { return false } }
    }

    func testMissingFileIsUnreadable() {
        let url = folder.appendingPathComponent("absent.json")
        assertError(try TokenizerLoader.load(from: url), names: url) { if case .unreadable = $0 { return true } else { return false } }
    }

    func testGGUFMetadataWithSentencepieceModelIsUnsupported() {
        XCTAssertThrowsError(try ByteLevelBPETokenizer(ggufTokens: ["a"], merges: [], tokenTypes: [1], pre: "default", bos: nil, eos: nil, model: "llama")) { error in
            guard case .unsupported = (error as? TokenizerError)?.code else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try ByteLevelBPETokenizer(ggufTokens: ["a"], merges: [], tokenTypes: [1], pre: "mystery", bos: nil, eos: nil)) { error in
            guard case .unsupported = (error as? TokenizerError)?.code else { return XCTFail("\(error)") }
        }
    }
}
