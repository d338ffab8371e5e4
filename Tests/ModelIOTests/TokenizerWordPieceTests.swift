import Foundation
@testable import ModelIO
import TestSupport
import XCTest

/// MiniLM's WordPiece tokenizer against the Hugging Face ids in the fixture ([CLS] … [SEP] added).
final class TokenizerWordPieceTests: XCTestCase {
    private func assertMatchesFixture(_ tokenizer: any Tokenizer, file: StaticString = #filePath, line: UInt = #line) throws {
        let cases = try TokenizerFixture.load().minilm
        XCTAssertFalse(cases.isEmpty)
        for fixture in cases {
            XCTAssertEqual(tokenizer.encode(fixture.text, addSpecialTokens: true), fixture.ids, fixture.text.debugDescription, file: file, line: line)
            XCTAssertEqual(tokenizer.encode(fixture.text, addSpecialTokens: false), Array(fixture.ids.dropFirst().dropLast()),
                           fixture.text.debugDescription, file: file, line: line)
        }
    }

    func testTokenizerJSONMatchesFixture() throws {
        let tokenizer = try WordPieceTokenizer(tokenizerJSONAt: TestPaths.miniLM.appendingPathComponent("tokenizer.json"))
        try assertMatchesFixture(tokenizer)
        XCTAssertEqual(tokenizer.vocabSize, 30522)
        XCTAssertEqual(tokenizer.defaultSpecialTokens, TokenizerSpecialTokens(prefix: [101], suffix: [102]))
        XCTAssertEqual(tokenizer.unknownTokenID, 100)
        XCTAssertEqual(tokenizer.padTokenID, 0)
        XCTAssertEqual(tokenizer.token(for: 7592), "hello")
    }

    func testVocabTXTMatchesFixture() throws {
        try assertMatchesFixture(try WordPieceTokenizer(vocabTXTAt: TestPaths.miniLM.appendingPathComponent("vocab.txt")))
    }

    func testLoaderOnFolderMatchesFixture() throws {
        try assertMatchesFixture(try TokenizerLoader.load(from: TestPaths.miniLM))
    }

    /// Expected strings from Hugging Face `tokenizers` 0.23.3 (`Tokenizer.decode`) on this tokenizer.json.
    func testDecodeJoinsPiecesAsHuggingFaceDoes() throws {
        let tokenizer = try WordPieceTokenizer(tokenizerJSONAt: TestPaths.miniLM.appendingPathComponent("tokenizer.json"))
        let ids = [101, 7592, 1010, 2088, 999, 102, 2123, 1005, 1056, 2079, 2025]
        XCTAssertEqual(tokenizer.decode(ids, skipSpecialTokens: true), "hello, world! don ' t do not")
        XCTAssertEqual(tokenizer.decode(ids, skipSpecialTokens: false), "[CLS] hello, world! [SEP] don ' t do not")
        XCTAssertEqual(tokenizer.decode([101, 7592, 2088, 102], skipSpecialTokens: false), "[CLS] hello world [SEP]")
        // "aaaaaaaaaa…" from the fixture: "aaa" then "##aa" pieces glue back together.
        let a40 = try XCTUnwrap(try TokenizerFixture.load().minilm.first { $0.text.hasPrefix("aaaa") })
        XCTAssertEqual(tokenizer.decode(a40.ids, skipSpecialTokens: true), a40.text)
    }

    /// Expected pieces from Hugging Face `tokenizers` 0.23.3 on this tokenizer.json: lower-casing with
    /// accents stripped (İ → i), no final-sigma rule, format characters dropped, added tokens matched
    /// in raw text only when spelled exactly.
    func testNormalizationAndAddedTokensAsHuggingFace() throws {
        let tokenizer = try WordPieceTokenizer(tokenizerJSONAt: TestPaths.miniLM.appendingPathComponent("tokenizer.json"))
        let ids = tokenizer.encode("Héllo İstanbul ΣΑΣ ǅ ﬁ x\u{301} \u{AD} a\u{200B}b \u{1C} c\u{FFFD}d", addSpecialTokens: false)
        XCTAssertEqual(ids.map { tokenizer.token(for: $0)! }, ["hello", "istanbul", "σ", "##α", "##σ", "[UNK]", "ﬁ", "x", "ab", "cd"])
        XCTAssertEqual(tokenizer.encode("[CLS]hello [SEP] [cls] x", addSpecialTokens: true), [101, 101, 7592, 102, 1031, 18856, 2015, 1033, 1060, 102])
    }
}
