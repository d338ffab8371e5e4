import Foundation
@testable import ModelIO
import TestSupport
import XCTest

/// GPT-2 byte-level BPE against the Hugging Face ids in the fixture, through every way of building it.
final class TokenizerGPT2Tests: XCTestCase {
    private func assertMatchesFixture(_ tokenizer: any Tokenizer, file: StaticString = #filePath, line: UInt = #line) throws {
        let cases = try TokenizerFixture.load().gpt2
        XCTAssertFalse(cases.isEmpty)
        for fixture in cases {
            let ids = tokenizer.encode(fixture.text, addSpecialTokens: true)
            XCTAssertEqual(ids, fixture.ids, "encode \(fixture.text.debugDescription)", file: file, line: line)
            if let decoded = fixture.decoded {
                XCTAssertEqual(Array(tokenizer.decode(fixture.ids, skipSpecialTokens: false).utf8), Array(decoded.utf8),
                               "decode \(fixture.text.debugDescription)", file: file, line: line)
            }
        }
    }

    func testVocabAndMergesFilesMatchFixture() throws {
        let tokenizer = try ByteLevelBPETokenizer(vocabJSONAt: TokenizerFixture.gpt2Vocab, mergesAt: TokenizerFixture.gpt2Merges)
        try assertMatchesFixture(tokenizer)
        XCTAssertEqual(tokenizer.vocabSize, 50257)
        XCTAssertEqual(tokenizer.eosTokenID, 50256)
        XCTAssertEqual(tokenizer.bosTokenID, 50256)
        XCTAssertEqual(tokenizer.defaultSpecialTokens, .none)
        XCTAssertEqual(tokenizer.id(for: "<|endoftext|>"), 50256)
        XCTAssertEqual(tokenizer.token(for: 15496), "Hello")
        XCTAssertEqual(tokenizer.token(for: 18435), "ĠHello")
    }

    func testLoaderOnFolderMatchesFixture() throws {
        try assertMatchesFixture(try TokenizerLoader.load(from: TokenizerFixture.gpt2Folder))
    }

    /// The GGUF path: the same vocabulary handed over as plain values, as the GGUF reader will.
    func testGGUFMetadataConstructorMatchesFixture() throws {
        let (tokens, merges) = try gpt2FilesAsGGUFMetadata()
        var types = [Int](repeating: 1, count: tokens.count)
        types[50256] = 3
        let tokenizer = try ByteLevelBPETokenizer(ggufTokens: tokens, merges: merges, tokenTypes: types, pre: "gpt2", bos: 50256, eos: 50256)
        try assertMatchesFixture(tokenizer)
        XCTAssertEqual(tokenizer.encode("<|endoftext|>", addSpecialTokens: true), [50256])
    }

    /// The tokenizer.json path, with a tokenizer.json written from the same vocabulary and merges
    /// (merges as [a, b] pairs, pre-tokenizer as Split(GPT-2 pattern) + ByteLevel without regex).
    func testTokenizerJSONMatchesFixture() throws {
        let (tokens, merges) = try gpt2FilesAsGGUFMetadata()
        let vocab = Dictionary(uniqueKeysWithValues: tokens.enumerated().map { ($0.element, $0.offset) })
        let pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
        let json: [String: Any] = [
            "version": "1.0",
            "added_tokens": [["id": 50256, "content": "<|endoftext|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": true, "special": true]],
            "normalizer": NSNull(),
            "pre_tokenizer": ["type": "Sequence", "pretokenizers": [
                ["type": "Split", "pattern": ["Regex": pattern], "behavior": "Isolated", "invert": false],
                ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false],
            ]],
            "post_processor": ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true],
            "decoder": ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true],
            "model": ["type": "BPE", "dropout": NSNull(), "unk_token": NSNull(), "continuing_subword_prefix": "", "end_of_word_suffix": "",
                      "fuse_unk": false, "byte_fallback": false, "ignore_merges": false, "vocab": vocab,
                      "merges": merges.map { $0.split(separator: " ").map(String.init) }],
        ]
        let folder = temporaryPath("tok-gpt2-json")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("tokenizer.json")
        try JSONSerialization.data(withJSONObject: json).write(to: url)
        try assertMatchesFixture(try ByteLevelBPETokenizer(tokenizerJSONAt: url))
        try assertMatchesFixture(try TokenizerLoader.load(from: folder))
    }

    func testSkipSpecialTokensDropsEndOfText() throws {
        let tokenizer = try ByteLevelBPETokenizer(vocabJSONAt: TokenizerFixture.gpt2Vocab, mergesAt: TokenizerFixture.gpt2Merges)
        let fixture = try XCTUnwrap(try TokenizerFixture.load().gpt2.first { $0.text.hasPrefix("<|endoftext|>") })
        XCTAssertEqual(tokenizer.decode(fixture.ids, skipSpecialTokens: true), String(fixture.text.dropFirst("<|endoftext|>".count)))
    }

    /// vocab.json in id order and merges.txt lines: what a GGUF stores.
    private func gpt2FilesAsGGUFMetadata() throws -> (tokens: [String], merges: [String]) {
        let vocab = try JSONSerialization.jsonObject(with: Data(contentsOf: TokenizerFixture.gpt2Vocab)) as! [String: Int]
        var tokens = [String](repeating: "", count: vocab.count)
        for (token, id) in vocab { tokens[id] = token }
        let merges = try String(contentsOf: TokenizerFixture.gpt2Merges, encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#version") }.map(String.init)
        return (tokens, merges)
    }
}
