import Foundation
import Models

/// Writes a `TransformerConfig` as the `config.json` that `transformers` reads back into the same model.
package enum HFConfigWriter {
    /// The `config.json` text for `config` (pretty-printed, sorted keys); `file` names it in errors.
    package static func json(for config: TransformerConfig, file: String = "config.json") throws -> Data {
        var object: [String: Any]
        switch config.architecture {
        case .gpt2: object = try gpt2Fields(config, file: file)
        case .llama: object = llamaFields(config)
        case .bert: object = bertFields(config)
        }
        object.merge(sharedFields(config)) { own, _ in own }
        var data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        data.append(0x0a)
        return data
    }

    /// `GPT2Config` fields; GPT-2 has no grouped or resized heads.
    static func gpt2Fields(_ config: TransformerConfig, file: String) throws -> [String: Any] {
        guard config.kvHeads == config.heads, config.heads * config.headDim == config.width else {
            throw HFCheckpointError.cannotSave(file: file, reason: "GPT-2 needs kvHeads == heads and heads × headDim == width "
                + "(have \(config.heads) heads, \(config.kvHeads) KV heads, head dim \(config.headDim), width \(config.width))")
        }
        return [
            "architectures": ["GPT2LMHeadModel"],
            "model_type": "gpt2",
            "vocab_size": config.vocabSize,
            "n_positions": config.maxPositions,
            "n_embd": config.width,
            "n_layer": config.layers,
            "n_head": config.heads,
            "n_inner": config.ffnWidth == 4 * config.width ? NSNull() : config.ffnWidth as Any,
            "activation_function": "gelu_new",
            "layer_norm_epsilon": decimal(config.normEps),
            "attn_pdrop": 0, "embd_pdrop": 0, "resid_pdrop": 0,
            "scale_attn_weights": true,
            "scale_attn_by_inverse_layer_idx": false,
            "reorder_and_upcast_attn": false,
            "add_cross_attention": false,
        ]
    }

    /// `LlamaConfig` fields (θ as 4.x's `rope_theta`, which transformers 5 also reads).
    static func llamaFields(_ config: TransformerConfig) -> [String: Any] {
        [
            "architectures": ["LlamaForCausalLM"],
            "model_type": "llama",
            "vocab_size": config.vocabSize,
            "max_position_embeddings": config.maxPositions,
            "hidden_size": config.width,
            "num_hidden_layers": config.layers,
            "num_attention_heads": config.heads,
            "num_key_value_heads": config.kvHeads,
            "head_dim": config.headDim,
            "intermediate_size": config.ffnWidth,
            "hidden_act": "silu",
            "rms_norm_eps": decimal(config.normEps),
            "rope_theta": decimal(config.ropeBase),
            "rope_scaling": NSNull(),
            "attention_bias": false,
            "attention_dropout": 0.0,
            "mlp_bias": false,
            "pretraining_tp": 1,
        ]
    }

    /// `BertConfig` fields (dropout 0: the runtime has none).
    static func bertFields(_ config: TransformerConfig) -> [String: Any] {
        [
            "architectures": ["BertModel"],
            "model_type": "bert",
            "vocab_size": config.vocabSize,
            "max_position_embeddings": config.maxPositions,
            "type_vocab_size": config.typeVocabSize,
            "hidden_size": config.width,
            "num_hidden_layers": config.layers,
            "num_attention_heads": config.heads,
            "intermediate_size": config.ffnWidth,
            "hidden_act": "gelu",
            "layer_norm_eps": decimal(config.normEps),
            "position_embedding_type": "absolute",
            "attention_probs_dropout_prob": 0.0,
            "hidden_dropout_prob": 0.0,
            "is_decoder": false,
            "add_cross_attention": false,
        ]
    }

    /// The fields every architecture writes the same way: special token ids, tying, dtype.
    static func sharedFields(_ config: TransformerConfig) -> [String: Any] {
        [
            "initializer_range": 0.02,
            "bos_token_id": config.bosTokenID.map { $0 as Any } ?? NSNull(),
            "eos_token_id": tokenIDs(config.eosTokenIDs),
            "tie_word_embeddings": config.tiedEmbeddings,
            "use_cache": true,
            "torch_dtype": "float32",
        ]
    }

    /// The shortest decimal that reads back as the same `Float` (`1e-05`, not `9.99999974737875e-06`).
    static func decimal(_ value: Float) -> Double { Double("\(value)") ?? Double(value) }

    /// One id as an integer, several as a list, none as null (how transformers writes them).
    static func tokenIDs(_ ids: [Int]) -> Any {
        switch ids.count {
        case 0: return NSNull()
        case 1: return ids[0]
        default: return ids
        }
    }
}
