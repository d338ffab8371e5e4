import Foundation
@testable import ModelIO
import TestSupport
import XCTest

/// llama2.c's tok512.bin written as a SentencePiece-style tokenizer.json: read back, it encodes every
/// string exactly as llama2.c does (`Llama2cTokenizer`, itself checked against run.c).
final class TokenizerJSONWriterLlama2cTests: XCTestCase {
    private typealias Support = TokenizerJSONWriterTestSupport

    private func writeTok512() throws -> (original: Llama2cTokenizer, folder: URL) {
        try requireFile(FileManager.default.fileExists(atPath: TokenizerFixture.tok512.path), "missing \(TokenizerFixture.tok512.path)")
        let original = try Llama2cTokenizer(contentsOf: TokenizerFixture.tok512, vocabSize: 512)
        return (original, try Support.writeFolder(original, modelMaxLength: 512, test: self))
    }

    func testEncodesAsLlama2cOnManyStrings() throws {
        let (original, folder) = try writeTok512()
        let reloaded = try XCTUnwrap(try TokenizerLoader.load(from: folder) as? SentencePieceBPETokenizer)
        let texts = try Support.fixtureTexts() + Support.moreTexts(count: 2000)
            + ["", " ", "  ", "Once upon a time", "aaaaaaaa", "Lily, Lily. Lily!", "\u{0}x", "tab\tend\n"]
        for text in texts {
            let ids = original.encode(text, addSpecialTokens: true)
            XCTAssertEqual(reloaded.encode(text, addSpecialTokens: true), ids, text.debugDescription)
            XCTAssertEqual(reloaded.encode(text, addSpecialTokens: false), original.encode(text, addSpecialTokens: false), text.debugDescription)
            // With BOS first both drop the dummy-prefix space; the text comes back.
            XCTAssertEqual(reloaded.decode(ids, skipSpecialTokens: true), original.decode(ids, skipSpecialTokens: true), text.debugDescription)
            XCTAssertEqual(reloaded.decode(ids, skipSpecialTokens: true), text, text.debugDescription)
        }
    }

    /// llama2.c never reads `<s>` in text as BOS; neither does the written folder (`split_special_tokens`).
    func testSpecialTokenNamesInTextStayText() throws {
        let (original, folder) = try writeTok512()
        let reloaded = try TokenizerLoader.load(from: folder)
        for text in ["<s>", "a</s>b", "<unk> x"] {
            XCTAssertEqual(reloaded.encode(text, addSpecialTokens: true), original.encode(text, addSpecialTokens: true), text)
        }
        let config = try Support.json("tokenizer_config.json", in: folder)
        XCTAssertEqual(config["split_special_tokens"]?.bool, true)
        XCTAssertEqual([config["bos_token"]?.string, config["eos_token"]?.string, config["unk_token"]?.string], ["<s>", "</s>", "<unk>"])
        XCTAssertEqual(config["add_bos_token"]?.bool, true)
        XCTAssertEqual([reloaded.bosTokenID, reloaded.eosTokenID, reloaded.unknownTokenID], [1, 2, 0])
        XCTAssertEqual(reloaded.defaultSpecialTokens, TokenizerSpecialTokens(prefix: [1]))
    }

    /// The pipeline is spelled as Hugging Face's Llama-2 tokenizer.json spells it.
    func testPipelineSpelling() throws {
        let (_, folder) = try writeTok512()
        let json = try Support.json("tokenizer.json", in: folder)
        let expected = try TokenizerJSONValue.parse(Data("""
            {"normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"},
               {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
             "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
               {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}}
            """.utf8), file: "expected")
        for key in ["normalizer", "decoder"] {
            XCTAssertEqual(String(decoding: (json[key] ?? .null).jsonData(), as: UTF8.self),
                           String(decoding: expected[key]!.jsonData(), as: UTF8.self), key)
        }
        XCTAssertEqual(json["pre_tokenizer"]?.isNull, true)
        let model = try XCTUnwrap(json["model"])
        XCTAssertEqual(model["byte_fallback"]?.bool, true)
        XCTAssertEqual(model["unk_token"]?.string, "<unk>")
        XCTAssertEqual(model["vocab"]?["<0x41>"]?.integer, 3 + 0x41)
        XCTAssertEqual(model["vocab"]?["▁Once"]?.integer, 403)  // " Once" in tok512.bin
    }

    /// A tokenizer.bin in memory: `pieces` with their scores, ids 0-2 as llama2.c writes them.
    private func tokenizerBin(_ pieces: [(String, Float)]) -> Data {
        var bytes: [UInt8] = []
        func int32(_ value: Int32) { bytes += (0..<4).map { UInt8(truncatingIfNeeded: UInt32(bitPattern: value) >> (8 * $0)) } }
        int32(Int32(pieces.map { $0.0.utf8.count }.max() ?? 1))
        for (piece, score) in pieces {
            int32(Int32(bitPattern: score.bitPattern))
            int32(Int32(piece.utf8.count))
            bytes += Array(piece.utf8)
        }
        return Data(bytes)
    }

    private func basePieces() -> [(String, Float)] {
        [("<unk>", 0), ("\n<s>\n", 0), ("\n</s>\n", 0)] + (0..<256).map { (SentencePieceBPETokenizer.byteTokenName(UInt8($0)), 0) }
            + [(" ", -1), ("a", -2), ("b", -3)]
    }

    private func assertNoExactEquivalent(_ pieces: [(String, Float)], mentions: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let tokenizer = try Llama2cTokenizer(data: tokenizerBin(pieces), vocabSize: pieces.count, source: "odd.bin")
        XCTAssertThrowsError(try TokenizerJSONWriter.files(for: tokenizer, source: "odd.bin"), file: file, line: line) { error in
            guard case .noExactEquivalent(let source, let reason) = (error as? TokenizerWriteError)?.code else {
                return XCTFail("\(error)", file: file, line: line)
            }
            XCTAssertEqual(source, "odd.bin", file: file, line: line)
            XCTAssertTrue(reason.contains(mentions), reason, file: file, line: line)
        }
    }

    /// Vocabularies llama2.c encodes in ways no tokenizer.json can are refused, saying why.
    func testRefusesWhatCannotBeExact() throws {
        var pieces = basePieces() + [(" a", -4), ("ab", -5)]
        XCTAssertNoThrow(try TokenizerJSONWriter.files(for: try Llama2cTokenizer(data: tokenizerBin(pieces), vocabSize: pieces.count), source: "ok.bin"))
        pieces[3 + 0x41] = ("A", 0)
        try assertNoExactEquivalent(pieces, mentions: "byte token <0x41>")
        try assertNoExactEquivalent(basePieces() + [(" a", -4), ("ab", -4)], mentions: "share the score")
        try assertNoExactEquivalent(basePieces() + [("a\u{2581}", -4)], mentions: "U+2581")
        try assertNoExactEquivalent(basePieces() + [("a", -4)], mentions: "both spelled")
        try assertNoExactEquivalent(basePieces().filter { $0.0 != " " }, mentions: "dummy prefix")
    }
}
