import Foundation
@testable import ModelIO
import TestSupport
import XCTest

/// Byte-level BPE tokenizers written as tokenizer.json and read back: the same ids as the Hugging Face
/// fixture, and the pipeline spelled as the models' own tokenizer.json files spell it.
final class TokenizerJSONWriterByteLevelTests: XCTestCase {
    private typealias Support = TokenizerJSONWriterTestSupport

    private func assertEncodesLikeFixture(_ tokenizer: any Tokenizer, _ cases: [TokenizerFixture.Case],
                                          file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(cases.isEmpty, file: file, line: line)
        for fixture in cases {
            XCTAssertEqual(tokenizer.encode(fixture.text, addSpecialTokens: true), fixture.ids, fixture.text.debugDescription, file: file, line: line)
            if let decoded = fixture.decoded {
                XCTAssertEqual(Array(tokenizer.decode(fixture.ids, skipSpecialTokens: false).utf8), Array(decoded.utf8),
                               fixture.text.debugDescription, file: file, line: line)
            }
        }
    }

    /// Parses `expected` and compares it, as written text, with `actual` (key order included).
    private func assertSameJSON(_ actual: TokenizerJSONValue?, _ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let parsed = try TokenizerJSONValue.parse(Data(expected.utf8), file: "expected")
        XCTAssertEqual(String(decoding: (actual ?? .null).jsonData(), as: UTF8.self), String(decoding: parsed.jsonData(), as: UTF8.self),
                       file: file, line: line)
    }

    func testGPT2RoundTripMatchesFixture() throws {
        let original = try ByteLevelBPETokenizer(vocabJSONAt: TokenizerFixture.gpt2Vocab, mergesAt: TokenizerFixture.gpt2Merges)
        let folder = try Support.writeFolder(original, test: self)
        let reloaded = try TokenizerLoader.load(from: folder)
        XCTAssertTrue(reloaded is ByteLevelBPETokenizer)
        assertEncodesLikeFixture(reloaded, try TokenizerFixture.load().gpt2)
        XCTAssertEqual(reloaded.vocabSize, original.vocabSize)
        XCTAssertEqual(reloaded.bosTokenID, original.bosTokenID)
        XCTAssertEqual(reloaded.eosTokenID, original.eosTokenID)
        XCTAssertEqual(reloaded.unknownTokenID, original.unknownTokenID)
        // As GPT-2's own tokenizer.json spells them.
        let json = try Support.json("tokenizer.json", in: folder)
        try assertSameJSON(json["pre_tokenizer"], #"{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}"#)
        try assertSameJSON(json["post_processor"], #"{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true}"#)
        try assertSameJSON(json["decoder"], #"{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true}"#)
        XCTAssertEqual(json["model"]?["merges"]?.array?.count, 50000)
        XCTAssertEqual(json["model"]?["merges"]?.array?.first?.string, "Ġ t")
    }

    func testSmolLM2GGUFRoundTripMatchesFixture() throws {
        let file = try GGUFFile(url: TestPaths.smolLM2GGUF)
        let metadata = try GGUFTokenizerMetadata(file: file)
        let original = try ByteLevelBPETokenizer(
            ggufTokens: metadata.tokens, merges: metadata.merges, tokenTypes: metadata.tokenTypes,
            pre: try XCTUnwrap(metadata.preTokenizer), bos: metadata.bosTokenID, eos: metadata.eosTokenID,
            unknown: metadata.unknownTokenID, padding: metadata.padTokenID, addBOS: metadata.addBOS ?? false,
            addEOS: metadata.addEOS ?? false, model: metadata.model, source: file.path)
        let template = try XCTUnwrap(metadata.chatTemplate)
        let folder = try Support.writeFolder(original, chatTemplate: template, modelMaxLength: 8192, test: self)
        let reloaded = try XCTUnwrap(try TokenizerLoader.load(from: folder) as? ByteLevelBPETokenizer)
        assertEncodesLikeFixture(reloaded, try TokenizerFixture.load().smollm2)
        for text in try Support.moreTexts(count: 300) {
            XCTAssertEqual(reloaded.encode(text, addSpecialTokens: true), original.encode(text, addSpecialTokens: true), text.debugDescription)
        }
        XCTAssertEqual(reloaded.addedTokens, original.addedTokens)
        XCTAssertEqual(reloaded.vocabSize, 49152)
        XCTAssertEqual([reloaded.bosTokenID, reloaded.eosTokenID, reloaded.padTokenID, reloaded.unknownTokenID],
                       [metadata.bosTokenID, metadata.eosTokenID, metadata.padTokenID, metadata.unknownTokenID])
        XCTAssertEqual(reloaded.defaultSpecialTokens, .none)
        // SmolLM2's own tokenizer.json pre-tokenizer (GGUF pre "smollm").
        let json = try Support.json("tokenizer.json", in: folder)
        try assertSameJSON(json["pre_tokenizer"], """
            {"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": true},
             {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}]}
            """)
        let config = try Support.json("tokenizer_config.json", in: folder)
        XCTAssertEqual(config["chat_template"]?.string, template)
        XCTAssertEqual(config["bos_token"]?.string, "<|im_start|>")
        XCTAssertEqual(config["eos_token"]?.string, "<|im_end|>")
        XCTAssertEqual(config["model_max_length"]?.integer, 8192)
        XCTAssertEqual(config["tokenizer_class"]?.string, "PreTrainedTokenizerFast")
    }

    /// A Llama-3-style tokenizer (Split + ByteLevel, BOS put before each text) is spelled as Llama-3's
    /// tokenizer.json, and reads back into the same tokenizer.
    func testLlama3StyleSpellingAndRoundTrip() throws {
        let alphabet = ByteLevelAlphabet.scalarForByte.map { String($0) }
        let merged = ["Ġt", "he", "Ġthe", "Ġa", "12", "123"]
        let merges = [("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("Ġ", "a"), ("1", "2"), ("12", "3")]
        let bos = AddedToken(content: "<|begin_of_text|>", id: 262)
        let original = try ByteLevelBPETokenizer(
            tokens: alphabet + merged, merges: merges, addedTokens: [bos], preTokenizer: .llama3,
            specialTokens: TokenizerSpecialTokens(prefix: [262]), bosTokenID: 262, eosTokenID: 262)
        let folder = try Support.writeFolder(original, test: self)
        let json = try Support.json("tokenizer.json", in: folder)
        let pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"#
        try assertSameJSON(json["pre_tokenizer"], """
            {"type": "Sequence", "pretokenizers": [
              {"type": "Split", "pattern": {"Regex": "\(pattern)"}, "behavior": "Isolated", "invert": false},
              {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]}
            """)
        try assertSameJSON(json["post_processor"], """
            {"type": "Sequence", "processors": [
              {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true},
              {"type": "TemplateProcessing",
               "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
               "pair": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                        {"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
               "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [262], "tokens": ["<|begin_of_text|>"]}}}]}
            """)
        let config = try Support.json("tokenizer_config.json", in: folder)
        XCTAssertEqual(config["add_bos_token"]?.bool, true)
        let reloaded = try TokenizerLoader.load(from: folder)
        XCTAssertEqual(reloaded.defaultSpecialTokens, TokenizerSpecialTokens(prefix: [262]))
        XCTAssertEqual(reloaded.bosTokenID, 262)
        for text in ["the the a", " 12345 the", "<|begin_of_text|>the", "I'M here\r\n\n  x"] {
            XCTAssertEqual(reloaded.encode(text, addSpecialTokens: true), original.encode(text, addSpecialTokens: true), text.debugDescription)
            XCTAssertEqual(reloaded.encode(text, addSpecialTokens: false), original.encode(text, addSpecialTokens: false), text.debugDescription)
        }
    }

    /// The JSON writer escapes only what JSON needs, keeps UTF-8 as it is and keeps keys that differ only
    /// in Unicode normalization apart.
    func testJSONTextRoundTrips() throws {
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        let value = TokenizerJSONValue.object([
            (composed, .integer(1)), (decomposed, .integer(2)),
            ("quote\"back\\slash\nnew\ttab\u{1}\u{7F}", .string("▁日本 🦙")),
            ("numbers", .array([.double(1e-5), .double(2), .integer(-3), .bool(false), .null])),
        ])
        let text = String(decoding: value.jsonData(), as: UTF8.self)
        XCTAssertTrue(text.contains(#""quote\"back\\slash\nnew\ttab\u0001\#u{7F}""#), text)
        XCTAssertTrue(text.contains("\"▁日本 🦙\""), text)
        let parsed = try TokenizerJSONValue.parse(value.jsonData(), file: "test")
        let keys = try XCTUnwrap(parsed.members).map { Array($0.key.utf8) }
        XCTAssertEqual(keys, [Array(composed.utf8), Array(decomposed.utf8), Array("quote\"back\\slash\nnew\ttab\u{1}\u{7F}".utf8), Array("numbers".utf8)])
        XCTAssertEqual(parsed["numbers"]?.array?.map(\.double), [1e-5, 2, -3, nil, nil])
        let json = try JSONSerialization.jsonObject(with: value.jsonData()) as? [String: Any]
        XCTAssertNotNil(json, "Foundation reads it too")
    }
}
