import Foundation
@testable import ModelIO
import TestSupport
import XCTest

/// `encode(_:addSpecialTokens:keeping:from:)` cuts a long text before encoding it; the ids a caller keeps
/// (the first or last `count`) must be exactly those of the whole text, for every kind of tokenizer, on
/// real prose cut at many places, with runs of spaces and newlines and non-ASCII text among it.
final class TokenizerBoundedEncodingTests: XCTestCase {
    /// Long texts (each far past the cut) of the shared READMEs' prose, started at many offsets and with
    /// odd spacing mixed in.
    private func texts() throws -> [String] {
        var prose = ""
        for name in ["data/README.md", "fixtures/README.md", "peer/README.md"] {
            prose += try String(contentsOf: TestPaths.shared.appendingPathComponent(name), encoding: .utf8) + "\n"
        }
        var texts: [String] = []
        let scalars = Array(prose.unicodeScalars)
        for (index, start) in stride(from: 0, to: scalars.count - 20_000, by: 997).enumerated().prefix(24) {
            var text = String(String.UnicodeScalarView(scalars[start..<(start + 20_000)]))
            switch index % 4 {
            case 1: text = text.replacingOccurrences(of: " ", with: "   ")
            case 2: text = text.replacingOccurrences(of: ". ", with: ".\n\n\t")
            case 3: text = text.replacingOccurrences(of: "e", with: "é").replacingOccurrences(of: "a", with: "ä ✓")
            default: break
            }
            texts.append(text)
        }
        return texts
    }

    private func assertKeepsTheWholeTextsIds(_ tokenizer: any Tokenizer, _ name: String) throws {
        for text in try texts() {
            for count in [1, 8, 32, 200] {
                let whole = tokenizer.encode(text, addSpecialTokens: true)
                let first = tokenizer.encode(text, addSpecialTokens: true, keeping: count, from: .start)
                XCTAssertLessThan(first.count, whole.count, "\(name): the text was cut")
                XCTAssertEqual(Array(first.prefix(count)), Array(whole.prefix(count)), "\(name), first \(count)")
                let plain = tokenizer.encode(text, addSpecialTokens: false)
                let last = tokenizer.encode(text, addSpecialTokens: false, keeping: count, from: .end)
                XCTAssertLessThan(last.count, plain.count, "\(name): the text was cut")
                XCTAssertEqual(Array(last.suffix(count)), Array(plain.suffix(count)), "\(name), last \(count)")
            }
        }
        // a text that fits is encoded whole, exactly as encode does
        let short = "Once upon a time, a short text."
        XCTAssertEqual(tokenizer.encode(short, addSpecialTokens: true, keeping: 64, from: .start), tokenizer.encode(short, addSpecialTokens: true))
    }

    func testGPT2ByteLevelBPE() throws {
        try assertKeepsTheWholeTextsIds(try ByteLevelBPETokenizer(vocabJSONAt: TokenizerFixture.gpt2Vocab, mergesAt: TokenizerFixture.gpt2Merges),
                                        "gpt2")
    }

    func testLlama2cSentencePiece() throws {
        try assertKeepsTheWholeTextsIds(try Llama2cTokenizer(contentsOf: TokenizerFixture.tok512, vocabSize: 512), "tok512")
    }

    func testSmolLM2ByteLevelBPE() throws {
        let metadata = try GGUFTokenizerMetadata(file: GGUFFile(url: TestPaths.smolLM2GGUF))
        try assertKeepsTheWholeTextsIds(try ByteLevelBPETokenizer(gguf: metadata, source: TestPaths.smolLM2GGUF.path), "smollm2")
    }

    func testMiniLMWordPiece() throws {
        try assertKeepsTheWholeTextsIds(try WordPieceTokenizer(tokenizerJSONAt: TestPaths.miniLM.appendingPathComponent("tokenizer.json")), "minilm")
    }

    // A text with no whitespace to cut at, and few ids per byte, is still bounded: past 256 bytes an id
    // kept, the piece stops growing.
    func testATextWithoutSpacesStaysBounded() throws {
        let tokenizer = try WordPieceTokenizer(tokenizerJSONAt: TestPaths.miniLM.appendingPathComponent("tokenizer.json"))
        let word = String(repeating: "a", count: 8 << 20)  // one 8 MB word: one [UNK] whole
        let ids = tokenizer.encode(word, addSpecialTokens: false, keeping: 4, from: .start)
        XCTAssertEqual(ids, [tokenizer.unknownTokenID].compactMap { $0 }, "a piece of the word is one [UNK] too")
    }
}
