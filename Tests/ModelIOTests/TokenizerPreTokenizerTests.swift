@testable import ModelIO
import XCTest

/// The hand-written pattern scanners against pieces from Hugging Face `tokenizers` 0.23.3
/// (`pre_tokenizers.Split(Regex(pattern), "isolated").pre_tokenize_str` and `ByteLevel().pre_tokenize_str`).
final class TokenizerPreTokenizerTests: XCTestCase {
    private func pieces(_ text: String, _ preTokenizer: ByteLevelPreTokenizer) -> [String] {
        let scalars = PreTokenizerText(text)
        return preTokenizer.split(scalars).map { String(decoding: scalars.bytes($0), as: UTF8.self) }
    }

    func testLlama3PatternPieces() {
        XCTAssertEqual(pieces("x'ſ 'S 'Re  a\n\n b \n\t c 12345 ?!\n\r\n  ", .llama3),
                       ["x", "'ſ", " '", "S", " '", "Re", " ", " a", "\n\n", " b", " \n", "\t", " c", " ", "123", "45", " ?!\n\r\n", "  "])
    }

    func testGPT2PatternPieces() {
        XCTAssertEqual(pieces("a\u{1C} b\u{A0}c \u{3000}d x\u{2028}\u{2028}y 1\u{B2} \u{301}a a\u{301}", .gpt2),
                       ["a", "\u{1C}", " b", "\u{A0}", "c", " ", "\u{3000}", "d", " x", "\u{2028}", "\u{2028}", "y", " 1\u{B2}", " \u{301}", "a", " a", "\u{301}"])
    }
}
