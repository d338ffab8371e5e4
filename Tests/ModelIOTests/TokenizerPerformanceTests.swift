import Foundation
import TestSupport
import XCTest
@testable import ModelIO

/// Encoding 10 kB of English prose with a fresh (cold-cache) GPT-2 tokenizer takes milliseconds.
final class TokenizerPerformanceTests: XCTestCase {
    func testEncodingTenKilobytesTakesMilliseconds() throws {
        let tokenizer = try ByteLevelBPETokenizer(vocabJSONAt: TokenizerFixture.gpt2Vocab, mergesAt: TokenizerFixture.gpt2Merges)
        var prose = ""
        for name in ["data/README.md", "fixtures/README.md"] {
            prose += try String(contentsOf: TestPaths.shared.appendingPathComponent(name), encoding: .utf8)
        }
        var text = ""
        while text.utf8.count < 10_000 { text += prose }
        let start = DispatchTime.now().uptimeNanoseconds
        let ids = tokenizer.encode(text, addSpecialTokens: false)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print("encoded \(text.utf8.count) bytes into \(ids.count) tokens in \(String(format: "%.2f", seconds * 1000)) ms")
        XCTAssertEqual(tokenizer.decode(ids, skipSpecialTokens: false), text)
        XCTAssertLessThan(seconds, 0.1, "10 kB should encode in milliseconds")
    }
}
