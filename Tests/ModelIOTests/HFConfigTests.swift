import Foundation
import ModelIO
import Models
import TestSupport
import XCTest

final class HFConfigTests: XCTestCase {
    /// Values read off gpt2-tiny/config.json by eye.
    func testGPT2FixtureConfig() throws {
        let config = try HFConfigReader.read(contentsOf: TestPaths.fixture("gpt2-tiny/config.json"))
        XCTAssertEqual(config, TransformerConfig(architecture: .gpt2, vocabSize: 1000, maxPositions: 64, layers: 2, width: 64,
                                                 heads: 4, kvHeads: 4, headDim: 16, ffnWidth: 256, normEps: 1e-5,
                                                 tiedEmbeddings: true, bosTokenID: 50256, eosTokenIDs: [50256]))
    }

    /// Values read off llama-tiny/config.json by eye (θ comes from rope_parameters).
    func testLlamaFixtureConfig() throws {
        let config = try HFConfigReader.read(contentsOf: TestPaths.fixture("llama-tiny/config.json"))
        XCTAssertEqual(config, TransformerConfig(architecture: .llama, vocabSize: 1000, maxPositions: 64, layers: 2, width: 64,
                                                 heads: 4, kvHeads: 2, headDim: 16, ffnWidth: 176, normEps: 1e-5,
                                                 ropeBase: 100_000, tiedEmbeddings: true, bosTokenID: 1, eosTokenIDs: [2]))
    }

    private func parse(_ fixture: String, _ edit: (inout [String: Any]) -> Void) throws -> TransformerConfig {
        var object = try HFFixtureCopy.config(of: fixture)
        edit(&object)
        return try HFConfigReader.read(data: JSONSerialization.data(withJSONObject: object), file: "edited/config.json")
    }

    func testDefaultsFollowTransformers() throws {
        // tie_word_embeddings: true for GPT-2, false for Llama when absent.
        XCTAssertTrue(try parse("gpt2-tiny") { $0["tie_word_embeddings"] = nil }.tiedEmbeddings)
        XCTAssertFalse(try parse("llama-tiny") { $0["tie_word_embeddings"] = nil }.tiedEmbeddings)
        // num_key_value_heads and head_dim default to heads and hidden/heads.
        let plain = try parse("llama-tiny") { $0["num_key_value_heads"] = nil; $0["head_dim"] = nil }
        XCTAssertEqual(plain.kvHeads, 4)
        XCTAssertEqual(plain.headDim, 16)
        // n_inner null is 4·n_embd; a number is taken as is.
        XCTAssertEqual(try parse("gpt2-tiny") { $0["n_inner"] = NSNull() }.ffnWidth, 256)
        XCTAssertEqual(try parse("gpt2-tiny") { $0["n_inner"] = 100 }.ffnWidth, 100)
    }

    func testRopeThetaAndTokenIDForms() throws {
        let legacy = try parse("llama-tiny") { $0["rope_parameters"] = nil; $0["rope_theta"] = 500000.0 }
        XCTAssertEqual(legacy.ropeBase, 500_000)
        let noTheta = try parse("llama-tiny") { $0["rope_parameters"] = nil }
        XCTAssertEqual(noTheta.ropeBase, 10_000)
        let listed = try parse("llama-tiny") { $0["eos_token_id"] = [2, 7]; $0["bos_token_id"] = NSNull() }
        XCTAssertEqual(listed.eosTokenIDs, [2, 7])
        XCTAssertNil(listed.bosTokenID)
        XCTAssertEqual(try parse("gpt2-tiny") { $0["activation_function"] = "gelu_pytorch_tanh" }.architecture, .gpt2)
    }

    private func assertConfigError(_ fixture: String, mentions: [String], file: StaticString = #filePath, line: UInt = #line,
                                   _ edit: (inout [String: Any]) -> Void, matches: (HFCheckpointError.Code) -> Bool) {
        assertCheckpointError(HFCheckpointError.self, mentions: ["edited/config.json"] + mentions, file: file, line: line,
                     { _ = try parse(fixture, edit) }, matches: matches)
    }

    func testUnknownArchitecture() {
        assertConfigError("gpt2-tiny", mentions: ["BertForMaskedLM"], { $0["architectures"] = ["BertForMaskedLM"] }) {
            if case .unknownArchitecture = $0 { true } else { false }
        }
        assertConfigError("llama-tiny", mentions: ["mistral"], { $0["architectures"] = nil; $0["model_type"] = "mistral" }) {
            if case .unknownArchitecture = $0 { true } else { false }
        }
        assertConfigError("gpt2-tiny", mentions: ["model_type"], { $0["model_type"] = "llama" }) {
            if case .invalidField(_, "model_type", _, _) = $0 { true } else { false }
        }
    }

    func testUnsupportedVariantsAreRejected() {
        assertConfigError("llama-tiny", mentions: ["rope_parameters.rope_type", "llama3"], {
            $0["rope_parameters"] = ["rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0]
        }) { if case .unsupportedFeature(_, "rope_parameters.rope_type", _, _) = $0 { true } else { false } }
        assertConfigError("llama-tiny", mentions: ["rope_scaling.type", "linear"], {
            $0["rope_scaling"] = ["type": "linear", "factor": 2.0]
        }) { if case .unsupportedFeature(_, "rope_scaling.type", _, _) = $0 { true } else { false } }
        assertConfigError("llama-tiny", mentions: ["hidden_act", "gelu"], { $0["hidden_act"] = "gelu" }) {
            if case .unsupportedFeature(_, "hidden_act", _, _) = $0 { true } else { false }
        }
        assertConfigError("gpt2-tiny", mentions: ["activation_function", "relu"], { $0["activation_function"] = "relu" }) {
            if case .unsupportedFeature(_, "activation_function", _, _) = $0 { true } else { false }
        }
        assertConfigError("gpt2-tiny", mentions: ["scale_attn_by_inverse_layer_idx"], { $0["scale_attn_by_inverse_layer_idx"] = true }) {
            if case .unsupportedFeature = $0 { true } else { false }
        }
    }

    func testMissingAndMistypedFields() {
        assertConfigError("llama-tiny", mentions: ["hidden_size"], { $0["hidden_size"] = nil }) {
            if case .missingField(_, "hidden_size") = $0 { true } else { false }
        }
        assertConfigError("gpt2-tiny", mentions: ["n_embd", "\"64\""], { $0["n_embd"] = "64" }) {
            if case .invalidField(_, "n_embd", _, _) = $0 { true } else { false }
        }
        assertConfigError("llama-tiny", mentions: ["num_key_value_heads"], { $0["num_key_value_heads"] = 3 }) {
            if case .invalidField(_, "num_key_value_heads", _, _) = $0 { true } else { false }
        }
        assertConfigError("llama-tiny", mentions: ["eos_token_id"], { $0["eos_token_id"] = "</s>" }) {
            if case .invalidField(_, "eos_token_id", _, _) = $0 { true } else { false }
        }
    }

    func testNotJSON() {
        assertCheckpointError(HFCheckpointError.self, mentions: ["broken/config.json"], {
            _ = try HFConfigReader.read(data: Data("{\"n_embd\": ".utf8), file: "broken/config.json")
        }) { if case .malformedJSON = $0 { true } else { false } }
    }

    /// The written config holds the fields transformers needs and reads back as the same config.
    func testWrittenConfigReadsBack() throws {
        let llama = TransformerConfig(architecture: .llama, vocabSize: 32, maxPositions: 16, layers: 3, width: 24, heads: 6,
                                      kvHeads: 2, headDim: 8, ffnWidth: 40, normEps: 1e-6, ropeBase: 500_000,
                                      tiedEmbeddings: false, bosTokenID: nil, eosTokenIDs: [5, 9])
        let gpt2 = TransformerConfig(architecture: .gpt2, vocabSize: 50, maxPositions: 20, layers: 1, width: 12, heads: 3,
                                     ffnWidth: 30, normEps: 1e-5, tiedEmbeddings: true, bosTokenID: 0, eosTokenIDs: [0])
        for config in [llama, gpt2] {
            let data = try HFConfigWriter.json(for: config)
            XCTAssertEqual(try HFConfigReader.read(data: data), config)
            let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            XCTAssertEqual(object["torch_dtype"] as? String, "float32")
        }
        let llamaObject = try JSONSerialization.jsonObject(with: HFConfigWriter.json(for: llama)) as! [String: Any]
        XCTAssertEqual(llamaObject["architectures"] as? [String], ["LlamaForCausalLM"])
        XCTAssertEqual(llamaObject["rms_norm_eps"] as? Double, 1e-6)
        XCTAssertEqual(llamaObject["rope_theta"] as? Double, 500000)
        XCTAssertEqual(llamaObject["eos_token_id"] as? [Int], [5, 9])
        XCTAssertEqual(llamaObject["tie_word_embeddings"] as? Bool, false)
        let gpt2Object = try JSONSerialization.jsonObject(with: HFConfigWriter.json(for: gpt2)) as! [String: Any]
        XCTAssertEqual(gpt2Object["architectures"] as? [String], ["GPT2LMHeadModel"])
        XCTAssertEqual(gpt2Object["n_inner"] as? Int, 30)
        XCTAssertEqual(gpt2Object["layer_norm_epsilon"] as? Double, 1e-5)
        XCTAssertEqual(gpt2Object["eos_token_id"] as? Int, 0)
    }

    func testGroupedQueryGPT2CannotBeSaved() {
        let config = TransformerConfig(architecture: .gpt2, vocabSize: 10, maxPositions: 8, layers: 1, width: 8, heads: 2, kvHeads: 1)
        assertCheckpointError(HFCheckpointError.self, mentions: ["config.json", "GPT-2"], { _ = try HFConfigWriter.json(for: config) }) {
            if case .cannotSave = $0 { true } else { false }
        }
    }
}
