import Foundation
@testable import ModelIO
import Models
import Tensor
import TestSupport
import XCTest

/// Crafted model files with absurd sizes or non-finite numbers: each loader throws its typed error,
/// naming the key or tensor, before allocating anything large.
final class HostileModelFileTests: XCTestCase {
    // tiny llama: C 8, H 2, KV 1, D 4, F 12, V 10, L 1
    let C = 8, H = 2, KV = 1, D = 4, F = 12, V = 10

    private func tinyLlamaGGUF(metadata overrides: [String: GGUFTestValue] = [:], poison tensor: String? = nil) -> GGUFTestWriter {
        var shapes: [(String, [Int])] = [("token_embd.weight", [V, C]), ("output_norm.weight", [C])]
        let g = "blk.0."
        shapes += [(g + "attn_norm.weight", [C]), (g + "attn_q.weight", [H * D, C]), (g + "attn_k.weight", [KV * D, C]),
                   (g + "attn_v.weight", [KV * D, C]), (g + "attn_output.weight", [C, H * D]), (g + "ffn_norm.weight", [C]),
                   (g + "ffn_gate.weight", [F, C]), (g + "ffn_up.weight", [F, C]), (g + "ffn_down.weight", [C, F])]
        var writer = GGUFTestWriter()
        var metadata: [(String, GGUFTestValue)] = [
            ("general.architecture", .string("llama")),
            ("llama.context_length", .u32(64)), ("llama.embedding_length", .u32(UInt32(C))),
            ("llama.block_count", .u32(1)), ("llama.feed_forward_length", .u32(UInt32(F))),
            ("llama.attention.head_count", .u32(UInt32(H))), ("llama.attention.head_count_kv", .u32(UInt32(KV))),
            ("llama.rope.freq_base", .f32(10_000)), ("llama.attention.layer_norm_rms_epsilon", .f32(1e-6)),
        ]
        for (key, value) in overrides {
            if let i = metadata.firstIndex(where: { $0.0 == key }) { metadata[i].1 = value } else { metadata.append((key, value)) }
        }
        writer.metadata = metadata
        writer.tensors = shapes.map { name, shape in
            var values = (0..<shape.reduce(1, *)).map { Float($0 % 7) / 8 }
            if name == tensor { values[3] = .nan }
            return .f32(name, shape: shape, values: values)
        }
        return writer
    }

    private func assertGGUFMetadataError(_ url: URL, key: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try GGUFModel.load(url: url), file: file, line: line) { error in
            guard case let .invalidMetadata(_, found, _)? = (error as? GGUFError)?.code else {
                return XCTFail("expected invalidMetadata, got \(error)", file: file, line: line)
            }
            XCTAssertEqual(found, key, file: file, line: line)
        }
    }

    func testTinyGGUFLoadsOnAGivenBackend() throws {
        let url = try tinyLlamaGGUF().write()
        let (config, store, _) = try GGUFModel.load(url: url, backend: CPUBackend.shared)
        XCTAssertEqual(config.width, C)
        XCTAssertEqual(store.value("final_norm.weight")[1], 1.0 / 8)
    }

    func testGGUFHugeBlockCountIsAnErrorNamingTheKey() throws {
        assertGGUFMetadataError(try tinyLlamaGGUF(metadata: ["llama.block_count": .u32(1 << 30)]).write(), key: "llama.block_count")
    }

    func testGGUFHugeContextLengthIsAnErrorNamingTheKey() throws {
        assertGGUFMetadataError(try tinyLlamaGGUF(metadata: ["llama.context_length": .u64(1 << 40)]).write(), key: "llama.context_length")
    }

    func testGGUFOddHeadDimensionIsAnError() throws {
        XCTAssertThrowsError(try GGUFModel.load(url: try tinyLlamaGGUF(metadata: ["llama.attention.key_length": .u32(3)]).write())) {
            XCTAssertTrue("\($0)".contains("llama.attention"), "\($0)")
        }
    }

    func testGGUFInfiniteRopeBaseIsAnErrorNamingTheKey() throws {
        assertGGUFMetadataError(try tinyLlamaGGUF(metadata: ["llama.rope.freq_base": .f32(.infinity)]).write(), key: "llama.rope.freq_base")
    }

    func testGGUFNaNNormEpsIsAnErrorNamingTheKey() throws {
        assertGGUFMetadataError(try tinyLlamaGGUF(metadata: ["llama.attention.layer_norm_rms_epsilon": .f32(.nan)]).write(),
                                key: "llama.attention.layer_norm_rms_epsilon")
    }

    func testGGUFNaNWeightNamesTheTensor() throws {
        let url = try tinyLlamaGGUF(poison: "blk.0.ffn_up.weight").write()
        XCTAssertThrowsError(try GGUFModel.load(url: url)) { error in
            XCTAssertEqual(error as? NonFiniteWeightError,
                           NonFiniteWeightError(file: url.path, tensor: "blk.0.ffn_up.weight", index: 3, value: "nan"))
        }
    }

    func testConfigJSONHugeVocabularyIsAnErrorNamingTheKey() throws {
        let json = #"{"model_type": "gpt2", "vocab_size": 1000000000000, "n_positions": 8, "n_layer": 1, "n_embd": 8, "n_head": 2}"#
        XCTAssertThrowsError(try HFConfigReader.read(data: Data(json.utf8))) { error in
            guard case let .invalidField(_, key, _, _)? = (error as? HFCheckpointError)?.code else { return XCTFail("\(error)") }
            XCTAssertEqual(key, "vocab_size")
        }
    }

    func testConfigJSONParameterCountOverMemoryIsAnError() throws {
        // every size under its own bound, but 2^24 × 2^22 parameters cannot be allocated
        let json = #"{"model_type": "gpt2", "vocab_size": 16777216, "n_positions": 8, "n_layer": 1, "n_embd": 4194304, "n_head": 2}"#
        XCTAssertThrowsError(try HFConfigReader.read(data: Data(json.utf8))) { error in
            guard case .invalidField? = (error as? HFCheckpointError)?.code else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("memory"), "\(error)")
        }
    }

    func testConfigJSONOverflowingFloatEpsIsAnError() throws {
        // 1e300 is a finite Double but an infinite Float
        let json = #"{"model_type": "llama", "vocab_size": 10, "max_position_embeddings": 8, "num_hidden_layers": 1, "hidden_size": 8, "num_attention_heads": 2, "intermediate_size": 12, "rms_norm_eps": 1e300}"#
        XCTAssertThrowsError(try HFConfigReader.read(data: Data(json.utf8))) { error in
            guard case let .invalidField(_, key, _, _)? = (error as? HFCheckpointError)?.code else { return XCTFail("\(error)") }
            XCTAssertEqual(key, "rms_norm_eps")
        }
    }

    func testValidateNamesTheField() {
        var config = TransformerConfig(architecture: .llama, vocabSize: 10, maxPositions: 8, layers: 1, width: 8, heads: 2,
                                       kvHeads: 1, headDim: 4, ffnWidth: 12)
        XCTAssertNoThrow(try config.validate())
        config.kvHeads = 3
        XCTAssertThrowsError(try config.validate()) { XCTAssertEqual(($0 as? TransformerConfigError)?.field, .kvHeads) }
        config.kvHeads = 1
        config.ropeBase = .nan
        XCTAssertThrowsError(try config.validate()) { XCTAssertEqual(($0 as? TransformerConfigError)?.field, .ropeBase) }
    }

    /// A llama2.c header: dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len.
    private func llama2cFile(_ header: [Int32], floats: [Float] = []) throws -> URL {
        var data = Data()
        for v in header { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        for f in floats { withUnsafeBytes(of: f.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        let url = temporaryPath("hostile", suffix: ".bin")
        try data.write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testLlama2cOverflowingHeaderIsAnInvalidHeader() throws {
        let url = try llama2cFile([1 << 24, 1 << 24, 4096, 2, 2, 1 << 24, 1 << 24])
        XCTAssertThrowsError(try Llama2cCheckpoint.load(url: url)) { error in
            guard case .invalidHeader? = (error as? Llama2cError)?.code else { return XCTFail("\(error)") }
        }
    }

    func testLlama2cNaNWeightNamesTheTensor() throws {
        // dim 4, hidden 4, 1 layer, 2 heads, 2 kv heads, vocab 4, seq_len 2: the floats of a whole file
        let header: [Int32] = [4, 4, 1, 2, 2, 4, 2]
        let count = try header.withUnsafeBytes { try Llama2cHeader(bytes: $0, file: "x").floatCount }
        var floats = [Float](repeating: 0.5, count: count)
        floats[16 + 4 + 1] = .infinity  // after the [4,4] embedding and [1,4] rms_att: wq[0]
        let url = try llama2cFile(header, floats: floats)
        XCTAssertThrowsError(try Llama2cCheckpoint.load(url: url)) { error in
            XCTAssertEqual((error as? NonFiniteWeightError)?.tensor, "wq[0]", "\(error)")
            XCTAssertEqual((error as? NonFiniteWeightError)?.value, "inf")
        }
    }

    func testLlama2cTokenizerVocabularyLargerThanItsFileIsAnError() throws {
        let data = Data([7, 0, 0, 0] + [UInt8](repeating: 0, count: 64))
        XCTAssertThrowsError(try Llama2cTokenizer(data: data, vocabSize: 1 << 30, source: "tok.bin")) { error in
            guard case .truncated? = (error as? TokenizerError)?.code else { return XCTFail("\(error)") }
        }
    }
}

/// Tokenizer files whose ids would size a table far past their tokens.
final class HostileTokenizerFileTests: XCTestCase {
    func testVocabularyIDFarPastItsTokensIsMalformed() throws {
        let folder = temporaryPath("hostile-tok")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let json = #"{"pre_tokenizer": {"type": "BertPreTokenizer"}, "model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[UNK]": 0, "a": 2000000000}}}"#
        let url = folder.appendingPathComponent("tokenizer.json")
        try Data(json.utf8).write(to: url)
        XCTAssertThrowsError(try TokenizerLoader.load(from: url)) { error in
            guard case .malformed? = (error as? TokenizerError)?.code else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("2000000000"), "\(error)")
        }
    }
}
