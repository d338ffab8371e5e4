import Foundation
@testable import ModelIO
import TestSupport
import XCTest

/// llama2.c's tok512.bin (vocabulary 512). Token spellings quoted here are read from the file itself:
/// 259 " t", 261 " a", 317 " Lily", 378 " time", 403 " Once", 407 " upon", 410 " ", 485 "é";
/// 3...258 are `<0x00>`...`<0xFF>`.
final class TokenizerLlama2cTests: XCTestCase {
    private func load() throws -> Llama2cTokenizer {
        try Llama2cTokenizer(contentsOf: TokenizerFixture.tok512, vocabSize: 512)
    }

    func testHeaderAndSpecialIDs() throws {
        let tokenizer = try load()
        XCTAssertEqual(tokenizer.maxTokenLength, 7)
        XCTAssertEqual(tokenizer.vocabSize, 512)
        XCTAssertEqual(tokenizer.bosTokenID, 1)
        XCTAssertEqual(tokenizer.eosTokenID, 2)
        XCTAssertEqual(tokenizer.id(for: " "), 410)
        XCTAssertEqual(tokenizer.token(for: 403), " Once")
        XCTAssertEqual(tokenizer.token(for: 3 + 0x41), "<0x41>")
    }

    /// Expected ids from llama2.c's `encode` (run.c) compiled and run on tok512.bin: BOS, the dummy
    /// space merged into the first word, byte fallback at byte + 3 for a code point not in the vocabulary.
    func testEncodeAsLlama2c() throws {
        let tokenizer = try load()
        XCTAssertEqual(tokenizer.encode("Once upon a time", addSpecialTokens: true), [1, 403, 407, 261, 378])
        XCTAssertEqual(tokenizer.encode("Once upon a time", addSpecialTokens: false), [403, 407, 261, 378])
        XCTAssertEqual(tokenizer.encode("Lily", addSpecialTokens: true), [1, 317])
        XCTAssertEqual(tokenizer.encode("é", addSpecialTokens: true), [1, 410, 485])
        XCTAssertEqual(tokenizer.encode("日", addSpecialTokens: true), [1, 410, 0xE6 + 3, 0x97 + 3, 0xA5 + 3])
        XCTAssertEqual(tokenizer.encode("", addSpecialTokens: true), [1])
    }

    /// llama2.c's decode: the leading space of the piece after BOS goes, `<0xXX>` pieces are raw bytes.
    func testDecodeAsLlama2c() throws {
        let tokenizer = try load()
        XCTAssertEqual(tokenizer.decode([1, 259], skipSpecialTokens: true), "t")
        XCTAssertEqual(tokenizer.decode([259], skipSpecialTokens: true), " t")
        XCTAssertEqual(tokenizer.decode([1, 410], skipSpecialTokens: true), "")
        XCTAssertEqual(tokenizer.decode([260, 259], skipSpecialTokens: true), "he t")
        XCTAssertEqual(tokenizer.decode([1, 3 + 0x41], skipSpecialTokens: true), "A")
        XCTAssertEqual(tokenizer.decode([3 + 0xE6, 3 + 0x97, 3 + 0xA5], skipSpecialTokens: true), "日")
    }

    func testRoundTrip() throws {
        let tokenizer = try load()
        let sentences = [
            "Once upon a time, there was a little girl named Lily. She loved to play outside in the park.",
            "One day, she saw a big, red ball. She wanted to play with it, but it was too high.",
            "  Two spaces, a tab\tand a newline\n, café, 日本語 and 🦙!",
        ]
        for sentence in sentences {
            let ids = tokenizer.encode(sentence, addSpecialTokens: true)
            XCTAssertEqual(ids.first, 1)
            XCTAssertEqual(tokenizer.decode(ids, skipSpecialTokens: true), sentence)
        }
    }
}
