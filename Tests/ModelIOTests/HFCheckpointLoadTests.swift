import Foundation
import ModelIO
import Models
import TestSupport
import XCTest

/// Loading the fixture checkpoints puts each Hugging Face value where the Swift layout expects it; the
/// expectations are read straight from the fixture bytes with the test's own parser.
final class HFCheckpointLoadTests: XCTestCase {
    /// Floats of parameter `name`.
    private func parameter(_ store: ParameterStore, _ name: String) -> [Float] {
        let spec = store.spec(named: name)!
        return Array(UnsafeBufferPointer(start: store.value(name), count: spec.count))
    }

    func testGPT2ConvWeightsAreTransposed() throws {
        let (config, store) = try HFCheckpoint.load(directory: TestPaths.fixture("gpt2-tiny"))
        let raw = try RawSafetensors(url: TestPaths.fixture("gpt2-tiny/model.safetensors"))
        XCTAssertEqual(config.architecture, .gpt2)
        let C = 64

        // c_attn.weight is [in = C, out = 3C]; qkv.weight is [3C, C].
        let cAttn = raw.f32("transformer.h.1.attn.c_attn.weight")
        XCTAssertEqual(raw.entries["transformer.h.1.attn.c_attn.weight"]?.shape, [C, 3 * C])
        let qkv = parameter(store, "layers.1.attn.qkv.weight")
        XCTAssertEqual(store.spec(named: "layers.1.attn.qkv.weight")?.shape, [3 * C, C])
        for out in 0..<(3 * C) {
            for input in 0..<C { XCTAssertEqual(qkv[out * C + input], cAttn[input * 3 * C + out]) }
        }
        // mlp.c_proj.weight is [in = 4C, out = C]; down.weight is [C, 4C].
        let cProj = raw.f32("transformer.h.0.mlp.c_proj.weight")
        let down = parameter(store, "layers.0.mlp.down.weight")
        for out in 0..<C {
            for input in 0..<(4 * C) { XCTAssertEqual(down[out * 4 * C + input], cProj[input * C + out]) }
        }
        XCTAssertEqual(parameter(store, "layers.1.attn.qkv.bias"), raw.f32("transformer.h.1.attn.c_attn.bias"))
        XCTAssertEqual(parameter(store, "embed.positions"), raw.f32("transformer.wpe.weight"))
        XCTAssertEqual(parameter(store, "final_norm.bias"), raw.f32("transformer.ln_f.bias"))
    }

    func testLlamaProjectionsFillRowBlocks() throws {
        let (config, store) = try HFCheckpoint.load(directory: TestPaths.fixture("llama-tiny"))
        let raw = try RawSafetensors(url: TestPaths.fixture("llama-tiny/model.safetensors"))
        XCTAssertEqual(config.architecture, .llama)
        // H·D = 4·16 = 64 query rows, KV·D = 2·16 = 32 key rows and 32 value rows, each row C = 64 wide.
        let qkv = parameter(store, "layers.1.attn.qkv.weight")
        XCTAssertEqual(qkv.count, 128 * 64)
        XCTAssertEqual(Array(qkv[0..<(64 * 64)]), raw.f32("model.layers.1.self_attn.q_proj.weight"))
        XCTAssertEqual(Array(qkv[(64 * 64)..<(96 * 64)]), raw.f32("model.layers.1.self_attn.k_proj.weight"))
        XCTAssertEqual(Array(qkv[(96 * 64)..<(128 * 64)]), raw.f32("model.layers.1.self_attn.v_proj.weight"))
        // F = 176: gate rows then up rows.
        let gateUp = parameter(store, "layers.0.mlp.gate_up.weight")
        XCTAssertEqual(Array(gateUp[0..<(176 * 64)]), raw.f32("model.layers.0.mlp.gate_proj.weight"))
        XCTAssertEqual(Array(gateUp[(176 * 64)...]), raw.f32("model.layers.0.mlp.up_proj.weight"))
        XCTAssertEqual(parameter(store, "layers.0.mlp.down.weight"), raw.f32("model.layers.0.mlp.down_proj.weight"))
        XCTAssertEqual(parameter(store, "layers.0.attn.out.weight"), raw.f32("model.layers.0.self_attn.o_proj.weight"))
        XCTAssertEqual(parameter(store, "embed.tokens"), raw.f32("model.embed_tokens.weight"))
        XCTAssertEqual(parameter(store, "final_norm.weight"), raw.f32("model.norm.weight"))
    }

    /// A `GPT2Model` checkpoint (no `transformer.` prefix) with the old mask buffers and a tied LM head.
    func testGPT2WithoutPrefixAndWithBuffersLoadsTheSameValues() throws {
        let directory = try temporaryFolder("modelio-tests")
        let folder = try HFFixtureCopy.make("gpt2-tiny", in: directory, editTensors: { tensors in
            let wte = tensors.first { $0.name == "transformer.wte.weight" }!
            tensors = tensors.map { NamedTensor(name: String($0.name.dropFirst("transformer.".count)), shape: $0.shape, values: $0.values) }
            tensors.append(NamedTensor(name: "h.0.attn.bias", shape: [1, 1, 4, 4], values: [Float](repeating: 1, count: 16)))
            tensors.append(NamedTensor(name: "h.1.attn.masked_bias", shape: [], values: [-1e4]))
            tensors.append(NamedTensor(name: "lm_head.weight", shape: wte.shape, values: wte.values))
        })
        let (_, store) = try HFCheckpoint.load(directory: folder)
        let (_, original) = try HFCheckpoint.load(directory: TestPaths.fixture("gpt2-tiny"))
        assertSameParameters(store, original)
    }

    /// Two shards and an index load exactly like the single file.
    func testShardedCheckpoint() throws {
        let folder = try temporaryFolder("modelio-tests")
        try FileManager.default.copyItem(at: TestPaths.fixture("llama-tiny/config.json"), to: folder.appendingPathComponent("config.json"))
        let tensors = try HFFixtureCopy.tensors(in: TestPaths.fixture("llama-tiny/model.safetensors"))
        let first = tensors.filter { $0.name.hasPrefix("model.layers.0.") }
        let second = tensors.filter { !$0.name.hasPrefix("model.layers.0.") }
        try HFFixtureCopy.write(first, to: folder.appendingPathComponent("model-00001-of-00002.safetensors"))
        try HFFixtureCopy.write(second, to: folder.appendingPathComponent("model-00002-of-00002.safetensors"))
        var weightMap: [String: String] = [:]
        for t in first { weightMap[t.name] = "model-00001-of-00002.safetensors" }
        for t in second { weightMap[t.name] = "model-00002-of-00002.safetensors" }
        let index: [String: Any] = ["metadata": ["total_size": 0], "weight_map": weightMap]
        try JSONSerialization.data(withJSONObject: index).write(to: folder.appendingPathComponent("model.safetensors.index.json"))

        let (config, store) = try HFCheckpoint.load(directory: folder)
        let (originalConfig, original) = try HFCheckpoint.load(directory: TestPaths.fixture("llama-tiny"))
        XCTAssertEqual(config, originalConfig)
        assertSameParameters(store, original)

        // An index that puts a key in the wrong shard names that shard and key.
        weightMap["model.norm.weight"] = "model-00001-of-00002.safetensors"
        let wrong: [String: Any] = ["weight_map": weightMap]
        try JSONSerialization.data(withJSONObject: wrong).write(to: folder.appendingPathComponent("model.safetensors.index.json"))
        assertCheckpointError(HFCheckpointError.self, mentions: ["model-00001-of-00002.safetensors", "model.norm.weight"],
                     { _ = try HFCheckpoint.load(directory: folder) }) {
            if case .missingTensor(_, "model.norm.weight") = $0 { true } else { false }
        }
    }
}
