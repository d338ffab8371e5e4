import Foundation
import ModelIO
import Models
import Tensor
import TestSupport
import XCTest

/// LoRA adapters in PEFT's layout: what Swift writes reads back bit for bit under PEFT's key names; the
/// adapter_config.json PEFT 0.21.2 writes loads; options that change the computation, regex targets,
/// missing or extra tensors are refused naming the file and the key.
final class PEFTAdapterTests: XCTestCase {
    static let llama = TransformerConfig(architecture: .llama, vocabSize: 37, maxPositions: 16, layers: 2, width: 16,
                                         heads: 4, kvHeads: 2, ffnWidth: 24, ropeBase: 10_000, tiedEmbeddings: false)
    static let gpt2 = TransformerConfig(architecture: .gpt2, vocabSize: 41, maxPositions: 16, layers: 2, width: 16, heads: 2)

    func folder() throws -> URL {
        let url = temporaryPath("peft")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func adapter(_ model: TransformerConfig, _ targets: [String]) throws -> LoRAAdapter {
        let adapter = try LoRAAdapter(config: LoRAConfig(rank: 2, alpha: 6, targets: targets), model: model, seed: 3)
        var rng = SplitMix64(seed: 5)
        let values = (0..<adapter.parameters.count).map { _ in rng.nextUnitFloat() - 0.5 }
        adapter.parameters.backend.upload(values, to: adapter.parameters.values.pointer)
        return adapter
    }

    func testWrittenAdaptersReadBackUnderPEFTKeys() throws {
        for (model, targets, keys) in [
            (Self.llama, ["q_proj", "down_proj"], ["base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight",
                                                   "base_model.model.model.layers.0.mlp.down_proj.lora_B.weight"]),
            (Self.gpt2, ["c_attn", "c_proj"], ["base_model.model.transformer.h.0.attn.c_attn.lora_A.weight",
                                               "base_model.model.transformer.h.1.attn.c_proj.lora_B.weight",
                                               "base_model.model.transformer.h.1.mlp.c_proj.lora_A.weight"]),
        ] {
            let dir = try folder()
            let written = try adapter(model, targets)
            try PEFTAdapter.save(written, baseModel: "base", to: dir)
            let file = try SafetensorsFile(url: dir.appendingPathComponent("adapter_model.safetensors"))
            for key in keys { XCTAssertTrue(file.contains(key), key) }
            XCTAssertEqual(file.tensorNames.count, model.architecture == .gpt2 ? 12 : 8, "A and B of each module of each layer")
            let read = try PEFTAdapter.load(directory: dir, model: model)
            XCTAssertEqual(read.config, written.config)
            let n = written.parameters.count
            XCTAssertEqual(read.parameters.backend.download(read.parameters.values.pointer, count: n),
                           written.parameters.backend.download(written.parameters.values.pointer, count: n))
            let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("adapter_config.json"))) as? [String: Any])
            XCTAssertEqual(config["fan_in_fan_out"] as? Bool, model.architecture == .gpt2)
            XCTAssertEqual(config["bias"] as? String, "none")
            XCTAssertEqual(config["target_modules"] as? [String], targets)
        }
    }

    /// The adapter_config.json of `peft` 0.21.2's `save_pretrained` (GPT-2, c_attn and c_proj).
    static var peftConfig: [String: Any] { [
        "alora_invocation_tokens": NSNull(), "alpha_pattern": [String: Any](), "arrow_config": NSNull(), "auto_mapping": NSNull(),
        "base_model_name_or_path": "gpt2-tiny", "bias": "none", "corda_config": NSNull(), "ensure_weight_tying": false,
        "eva_config": NSNull(), "exclude_modules": NSNull(), "fan_in_fan_out": true, "inference_mode": true, "init_lora_weights": true,
        "kasa_config": NSNull(), "layer_replication": NSNull(), "layers_pattern": NSNull(), "layers_to_transform": NSNull(),
        "loftq_config": [String: Any](), "lora_alpha": 8, "lora_bias": false, "lora_dropout": 0.0, "lora_ga_config": NSNull(),
        "megatron_config": NSNull(), "megatron_core": "megatron.core", "modules_to_save": NSNull(), "monteclora_config": NSNull(),
        "peft_type": "LORA", "peft_version": "0.21.2", "qalora_group_size": 16, "r": 2, "rank_pattern": [String: Any](),
        "revision": NSNull(), "target_modules": ["c_proj", "c_attn"], "target_parameters": NSNull(), "task_type": "CAUSAL_LM",
        "trainable_token_indices": NSNull(), "use_bdlora": NSNull(), "use_dora": false, "use_qalora": false, "use_rslora": false,
        "velora_config": NSNull(),
    ] }

    func testPEFTsOwnConfigLoadsAndOtherOptionsAreRefusedByKey() throws {
        let dir = try folder()
        try PEFTAdapter.save(try adapter(Self.gpt2, ["c_attn", "c_proj"]), baseModel: "x", to: dir)
        let configURL = dir.appendingPathComponent("adapter_config.json")
        func load(_ fields: [String: Any]) throws -> LoRAAdapter {
            try JSONSerialization.data(withJSONObject: fields).write(to: configURL)
            return try PEFTAdapter.load(directory: dir, model: Self.gpt2)
        }
        let loaded = try load(Self.peftConfig)
        XCTAssertEqual(loaded.config, LoRAConfig(rank: 2, alpha: 8, targets: ["c_proj", "c_attn"]))
        let file = configURL.path
        for (key, value, message) in [
            ("use_dora", true as Any, "\(file): field 'use_dora' = true is not supported: it changes the adapter's computation beyond plain LoRA"),
            ("use_rslora", true, "\(file): field 'use_rslora' = true is not supported: it changes the adapter's computation beyond plain LoRA"),
            ("modules_to_save", ["lm_head"], "\(file): field 'modules_to_save' = [\"lm_head\"] is not supported: it changes the adapter's computation beyond plain LoRA"),
            ("rank_pattern", ["c_attn": 4], "\(file): field 'rank_pattern' = {...} is not supported: it changes the adapter's computation beyond plain LoRA"),
            ("bias", "all", "\(file): field 'bias' = \"all\" is not supported: only \"none\" (no trained biases)"),
            ("target_modules", ".*attn.*", "\(file): field 'target_modules' = \".*attn.*\" is not supported: a regular expression; list the module names"),
            ("fan_in_fan_out", false, "\(file): field 'fan_in_fan_out' is false, expected true for a gpt2 model"),
            ("peft_type", "IA3", "\(file): field 'peft_type' is \"IA3\", expected \"LORA\""),
            ("r", 0, "\(file): field 'r' is 0, expected a positive integer"),
        ] {
            var fields = Self.peftConfig
            fields[key] = value
            XCTAssertThrowsError(try load(fields), key) { XCTAssertEqual("\($0)", message) }
        }
        var fields = Self.peftConfig
        fields["target_modules"] = ["q_proj"]
        XCTAssertThrowsError(try load(fields)) { XCTAssertTrue("\($0)".hasPrefix("\(file): field 'target_modules'"), "\($0)") }
        fields = Self.peftConfig
        fields["r"] = 3
        XCTAssertThrowsError(try load(fields)) {
            XCTAssertEqual("\($0)", "\(dir.path)/adapter_model.safetensors: tensor 'base_model.model.transformer.h.0.attn.c_attn.lora_A.weight' has shape [2, 16], expected [3, 16]")
        }
    }

    func testMissingAndExtraTensorsAreNamed() throws {
        let dir = try folder()
        let a = try adapter(Self.llama, ["q_proj"])
        try PEFTAdapter.save(a, baseModel: "x", to: dir)
        var writer = SafetensorsWriter()
        writer.addFloats("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", shape: [2, 16], values: [Float](repeating: 0, count: 32))
        writer.addFloats("base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight", shape: [16, 2], values: [Float](repeating: 0, count: 32))
        writer.addFloats("base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector", shape: [16], values: [Float](repeating: 1, count: 16))
        let weights = dir.appendingPathComponent("adapter_model.safetensors")
        try writer.write(to: weights)
        XCTAssertThrowsError(try PEFTAdapter.load(directory: dir, model: Self.llama)) {
            XCTAssertEqual("\($0)", "\(weights.path): missing tensor 'base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight'")
        }
        let one = TransformerConfig(architecture: .llama, vocabSize: 37, maxPositions: 16, layers: 1, width: 16,
                                    heads: 4, kvHeads: 2, ffnWidth: 24, ropeBase: 10_000, tiedEmbeddings: false)
        XCTAssertThrowsError(try PEFTAdapter.load(directory: dir, model: one)) {
            XCTAssertTrue("\($0)".contains("unexpected tensor 'base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector'"), "\($0)")
        }
    }
}
