@testable import ModelIO
import Models
import XCTest

/// The llama mapping on a tiny synthetic model whose tensors are written here in llama.cpp's layout
/// (F32, q and k permuted as `convert_hf_to_gguf.py` does), with known Hugging Face-order values.
final class GGUFLlamaLoadingTests: XCTestCase {
    // tiny shape: C 8, H 2, KV 1, D 4, F 12, V 10, L 2, context 64
    let C = 8, H = 2, KV = 1, D = 4, F = 12, V = 10, L = 2

    /// Distinct values per tensor so a misplaced block is seen.
    func values(_ count: Int, tag: Int) -> [Float] { (0..<count).map { Float(tag * 1000 + $0) / 64 } }

    /// Hugging Face-order tensors by GGUF name (q and k before llama.cpp's permutation).
    func huggingFaceTensors(tied: Bool = true) -> [(String, [Int], [Float])] {
        var list: [(String, [Int], [Float])] = [("token_embd.weight", [V, C], values(V * C, tag: 1))]
        for l in 0..<L {
            let g = "blk.\(l).", t = 10 * (l + 1)
            list += [
                (g + "attn_norm.weight", [C], values(C, tag: t + 1)),
                (g + "attn_q.weight", [H * D, C], values(H * D * C, tag: t + 2)),
                (g + "attn_k.weight", [KV * D, C], values(KV * D * C, tag: t + 3)),
                (g + "attn_v.weight", [KV * D, C], values(KV * D * C, tag: t + 4)),
                (g + "attn_output.weight", [C, H * D], values(C * H * D, tag: t + 5)),
                (g + "ffn_norm.weight", [C], values(C, tag: t + 6)),
                (g + "ffn_gate.weight", [F, C], values(F * C, tag: t + 7)),
                (g + "ffn_up.weight", [F, C], values(F * C, tag: t + 8)),
                (g + "ffn_down.weight", [C, F], values(C * F, tag: t + 9)),
            ]
        }
        list.append(("output_norm.weight", [C], values(C, tag: 2)))
        if !tied { list.append(("output.weight", [V, C], values(V * C, tag: 3))) }
        return list
    }

    func writer(tensors: [(String, [Int], [Float])], architecture: String = "llama") -> GGUFTestWriter {
        var writer = GGUFTestWriter()
        writer.metadata = [
            ("general.architecture", .string(architecture)),
            ("llama.context_length", .u32(64)), ("llama.embedding_length", .u32(UInt32(C))),
            ("llama.block_count", .u32(UInt32(L))), ("llama.feed_forward_length", .u32(UInt32(F))),
            ("llama.attention.head_count", .u32(UInt32(H))), ("llama.attention.head_count_kv", .u32(UInt32(KV))),
            ("llama.rope.freq_base", .f32(500_000)), ("llama.attention.layer_norm_rms_epsilon", .f32(1e-6)),
            ("llama.rope.dimension_count", .u32(UInt32(D))),
            ("tokenizer.ggml.model", .string("llama")),
            ("tokenizer.ggml.tokens", .array(elementTypeID: 8, (0..<V).map { .string("t\($0)") })),
            ("tokenizer.ggml.scores", .array(elementTypeID: 6, (0..<V).map { .f32(-Float($0)) })),
            ("tokenizer.ggml.token_type", .array(elementTypeID: 5, (0..<V).map { .i32($0 < 3 ? 3 : 1) })),
            ("tokenizer.ggml.bos_token_id", .u32(1)), ("tokenizer.ggml.eos_token_id", .u32(2)),
            ("tokenizer.ggml.eot_token_id", .u32(9)),
        ]
        writer.tensors = tensors.map { name, shape, data in
            var stored = data
            if name.hasSuffix("attn_q.weight") { stored = GGUFRotaryRowsTests.llamaCppPermute(data, heads: H, columns: C) }
            if name.hasSuffix("attn_k.weight") { stored = GGUFRotaryRowsTests.llamaCppPermute(data, heads: KV, columns: C) }
            return .f32(name, shape: shape, values: stored)
        }
        return writer
    }

    private func rows(_ store: ParameterStore, _ name: String, from: Int, count: Int, columns: Int) -> [Float] {
        Array(UnsafeBufferPointer(start: store.value(name) + from * columns, count: count * columns))
    }

    func testConfigFromMetadata() throws {
        let file = try GGUFFile(url: try writer(tensors: huggingFaceTensors()).write())
        let config = try GGUFLlamaConfig.config(from: file)
        XCTAssertEqual(config, TransformerConfig(architecture: .llama, vocabSize: V, maxPositions: 64, layers: L, width: C,
                                                 heads: H, kvHeads: KV, headDim: D, ffnWidth: F, normEps: 1e-6,
                                                 ropeBase: 500_000, tiedEmbeddings: true, bosTokenID: 1,
                                                 eosTokenIDs: [2, 9]))
        let tokenizer = try GGUFTokenizerMetadata(file: file)
        XCTAssertEqual(tokenizer.model, "llama")
        XCTAssertEqual(tokenizer.tokens.count, V)
        XCTAssertEqual(tokenizer.tokens[4], "t4")
        XCTAssertEqual(tokenizer.scores[3], -3)
        XCTAssertEqual(tokenizer.tokenTypes.prefix(4), [3, 3, 3, 1])
        XCTAssertEqual(tokenizer.merges, [])
        XCTAssertNil(tokenizer.chatTemplate)
    }

    func testEveryTensorLandsInItsSwiftPlaceInHuggingFaceOrder() throws {
        let tensors = huggingFaceTensors()
        let (config, store, _) = try GGUFModel.load(url: try writer(tensors: tensors).write())
        XCTAssertTrue(config.tiedEmbeddings)
        XCTAssertEqual(store.specs.map(\.name), ParameterLayout.specs(for: config).map(\.0))
        let hf = Dictionary(uniqueKeysWithValues: tensors.map { ($0.0, $0.2) })
        XCTAssertEqual(rows(store, "embed.tokens", from: 0, count: V, columns: C), hf["token_embd.weight"])
        for l in 0..<L {
            let g = "blk.\(l).", s = "layers.\(l)."
            XCTAssertEqual(rows(store, s + "attn_norm.weight", from: 0, count: 1, columns: C), hf[g + "attn_norm.weight"])
            XCTAssertEqual(rows(store, s + "attn.qkv.weight", from: 0, count: H * D, columns: C), hf[g + "attn_q.weight"])
            XCTAssertEqual(rows(store, s + "attn.qkv.weight", from: H * D, count: KV * D, columns: C), hf[g + "attn_k.weight"])
            XCTAssertEqual(rows(store, s + "attn.qkv.weight", from: (H + KV) * D, count: KV * D, columns: C), hf[g + "attn_v.weight"])
            XCTAssertEqual(rows(store, s + "attn.out.weight", from: 0, count: C, columns: H * D), hf[g + "attn_output.weight"])
            XCTAssertEqual(rows(store, s + "mlp_norm.weight", from: 0, count: 1, columns: C), hf[g + "ffn_norm.weight"])
            XCTAssertEqual(rows(store, s + "mlp.gate_up.weight", from: 0, count: F, columns: C), hf[g + "ffn_gate.weight"])
            XCTAssertEqual(rows(store, s + "mlp.gate_up.weight", from: F, count: F, columns: C), hf[g + "ffn_up.weight"])
            XCTAssertEqual(rows(store, s + "mlp.down.weight", from: 0, count: C, columns: F), hf[g + "ffn_down.weight"])
        }
        XCTAssertEqual(rows(store, "final_norm.weight", from: 0, count: 1, columns: C), hf["output_norm.weight"])
    }

    func testOutputWeightMakesTheConfigUntied() throws {
        let tensors = huggingFaceTensors(tied: false)
        let (config, store, _) = try GGUFModel.load(url: try writer(tensors: tensors).write())
        XCTAssertFalse(config.tiedEmbeddings)
        XCTAssertEqual(rows(store, "lm_head.weight", from: 0, count: V, columns: C), tensors.last?.2)
    }

    func testMissingUnexpectedAndMisshapedTensors() throws {
        let missing = try writer(tensors: huggingFaceTensors().filter { $0.0 != "blk.1.ffn_up.weight" }).write()
        assertGGUFError(try GGUFModel.load(url: missing), naming: missing, "missing tensor") {
            if case .missingTensor(_, "blk.1.ffn_up.weight") = $0 { return true } else { return false }
        }
        let unexpected = try writer(tensors: huggingFaceTensors() + [("rope_freqs.weight", [2], [1, 2])]).write()
        assertGGUFError(try GGUFModel.load(url: unexpected), naming: unexpected, "unexpected tensor") {
            if case .unexpectedTensor(_, "rope_freqs.weight") = $0 { return true } else { return false }
        }
        let misshaped = try writer(tensors: huggingFaceTensors().map {
            $0.0 == "blk.0.attn_k.weight" ? ($0.0, [H * D, C], values(H * D * C, tag: 5)) : $0
        }).write()
        assertGGUFError(try GGUFModel.load(url: misshaped), naming: misshaped, "shape mismatch") {
            if case .shapeMismatch(_, "blk.0.attn_k.weight", [4, 8], [8, 8]) = $0 { return true } else { return false }
        }
    }

    func testUnsupportedRotaryLayout() throws {
        var w = writer(tensors: huggingFaceTensors())
        w.metadata = w.metadata.map { $0.0 == "llama.rope.dimension_count" ? ($0.0, .u32(2)) : $0 }
        let url = try w.write()
        assertGGUFError(try GGUFModel.load(url: url), naming: url, "partial rotary") {
            if case .unsupportedModel(_, "llama.rope.dimension_count", _) = $0 { return true } else { return false }
        }
    }
}
