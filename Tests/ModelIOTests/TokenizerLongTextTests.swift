import Foundation
@testable import ModelIO
import TestSupport
import XCTest

/// 10 kB of real prose through a fresh (cold-cache) GPT-2 tokenizer decodes back to itself.
/// (Speed is measured outside the test suite.)
final class TokenizerLongTextTests: XCTestCase {
    func testTenKilobytesRoundTrip() throws {
        let tokenizer = try ByteLevelBPETokenizer(vocabJSONAt: TokenizerFixture.gpt2Vocab, mergesAt: TokenizerFixture.gpt2Merges)
        var prose = ""
        for name in ["data/README.md", "fixtures/README.md"] {
            prose += try String(contentsOf: TestPaths.shared.appendingPathComponent(name), encoding: .utf8)
        }
        var text = ""
        while text.utf8.count < 10_000 { text += prose }
        let ids = tokenizer.encode(text, addSpecialTokens: false)
        XCTAssertGreaterThan(ids.count, text.utf8.count / 8, "prose is a few bytes per token")
        XCTAssertEqual(tokenizer.decode(ids, skipSpecialTokens: false), text)
    }
}
