import Foundation
import Models

/// Reads a Hugging Face `config.json` into a `TransformerConfig`.
///
/// Supported: `GPT2LMHeadModel` / `GPT2Model` (model_type `gpt2`) and `LlamaForCausalLM` (model_type `llama`).
/// Size fields are required; the other fields take the defaults `transformers` gives them. Fields that
/// would change the computation in a way the runtime does not implement are rejected, never ignored.
package enum HFConfigReader {
    /// Architecture class names and the family they load as.
    static let supportedArchitectures: [String: Architecture] = [
        "GPT2LMHeadModel": .gpt2, "GPT2Model": .gpt2, "LlamaForCausalLM": .llama,
    ]

    /// Parses the `config.json` of a causal LM at `url`.
    package static func read(contentsOf url: URL) throws -> TransformerConfig {
        try causalConfig(from: HFConfigFields(contentsOf: url))
    }

    /// Parses a causal LM's `config.json` text; `file` names it in errors.
    package static func read(data: Data, file: String = "config.json") throws -> TransformerConfig {
        try causalConfig(from: HFConfigFields(data: data, file: file))
    }

    /// The config of a causal LM: an encoder (BERT, named by `model_type` alone) is an error.
    static func causalConfig(from fields: HFConfigFields) throws -> TransformerConfig {
        let config = try config(from: fields)
        guard config.architecture.isCausal else {
            throw HFCheckpointError.unsupportedFeature(file: fields.file, key: "model_type", value: "\"\(config.architecture.rawValue)\"",
                                                       reason: "an encoder is not a causal LM; it loads as a reward model's backbone")
        }
        return config
    }

    /// The config of `fields`, whose `architectures` must name classes in `classes` (by default the
    /// causal LMs; `HFSequenceClassifier` passes the classifiers).
    static func config(from fields: HFConfigFields,
                       classes: [String: Architecture] = supportedArchitectures) throws -> TransformerConfig {
        let config: TransformerConfig
        switch try architecture(of: fields, classes: classes) {
        case .gpt2: config = try gpt2Config(from: fields)
        case .llama: config = try llamaConfig(from: fields)
        case .bert: config = try bertConfig(from: fields)
        }
        do { try config.validate() } catch let error as TransformerConfigError {
            throw HFCheckpointError.invalidField(file: fields.file, key: key(for: error.field, in: config.architecture),
                                                 value: error.value, expected: "a value this runtime accepts (it \(error.reason))")
        }
        return config
    }

    /// The `config.json` key that sets `field`.
    static func key(for field: TransformerConfigError.Field, in architecture: Architecture) -> String {
        switch (field, architecture) {
        case (.vocabSize, _): "vocab_size"
        case (.maxPositions, .gpt2): "n_positions"
        case (.maxPositions, .llama): "max_position_embeddings"
        case (.layers, .gpt2): "n_layer"
        case (.layers, .llama): "num_hidden_layers"
        case (.width, .gpt2): "n_embd"
        case (.width, .llama): "hidden_size"
        case (.heads, .gpt2), (.kvHeads, .gpt2), (.headDim, .gpt2): "n_head"
        case (.heads, .llama): "num_attention_heads"
        case (.kvHeads, .llama): "num_key_value_heads"
        case (.headDim, .llama): "head_dim"
        case (.ffnWidth, .gpt2): "n_inner"
        case (.ffnWidth, .llama): "intermediate_size"
        case (.normEps, .gpt2): "layer_norm_epsilon"
        case (.normEps, .llama): "rms_norm_eps"
        case (.ropeBase, _): "rope_theta"
        case (.maxPositions, .bert): "max_position_embeddings"
        case (.layers, .bert): "num_hidden_layers"
        case (.width, .bert): "hidden_size"
        case (.heads, .bert), (.kvHeads, .bert), (.headDim, .bert): "num_attention_heads"
        case (.ffnWidth, .bert): "intermediate_size"
        case (.normEps, .bert): "layer_norm_eps"
        case (.typeVocabSize, _): "type_vocab_size"
        }
    }

    /// The family named by `architectures` and `model_type`, which must agree.
    static func architecture(of fields: HFConfigFields,
                             classes: [String: Architecture] = supportedArchitectures) throws -> Architecture {
        var fromClass: Architecture?
        if let value = fields.value("architectures") {
            guard let names = value.arrayValue?.compactMap(\.stringValue), !names.isEmpty,
                  names.count == value.arrayValue?.count else {
                throw fields.invalid("architectures", value, "a non-empty list of class names")
            }
            for name in names {
                guard let family = classes[name] else {
                    throw HFCheckpointError.unknownArchitecture(file: fields.file, value: "'\(name)' (architectures)")
                }
                if let earlier = fromClass, earlier != family {
                    throw fields.invalid("architectures", value, "classes of one model family")
                }
                fromClass = family
            }
        }
        let modelType = try fields.string("model_type", default: nil)
        var fromType: Architecture?
        if let modelType {
            guard let family = Architecture(rawValue: modelType) else {
                throw HFCheckpointError.unknownArchitecture(file: fields.file, value: "'\(modelType)' (model_type)")
            }
            fromType = family
        }
        switch (fromClass, fromType) {
        case let (family?, nil), let (nil, family?): return family
        case let (byClass?, byType?):
            guard byClass == byType else {
                throw HFCheckpointError.invalidField(file: fields.file, key: "model_type", value: "\"\(modelType ?? "")\"",
                                                     expected: "\"\(byClass.rawValue)\" to match architectures")
            }
            return byClass
        case (nil, nil):
            throw HFCheckpointError.missingField(file: fields.file, key: "model_type")
        }
    }

    /// `GPT2Config` fields.
    static func gpt2Config(from fields: HFConfigFields) throws -> TransformerConfig {
        let width = try fields.positiveInt("n_embd")
        let heads = try fields.positiveInt("n_head")
        guard width % heads == 0 else {
            throw fields.invalid("n_head", .int(heads), "a divisor of n_embd (\(width))")
        }
        let activation = try fields.string("activation_function", default: "gelu_new") ?? "gelu_new"
        guard activation == "gelu_new" || activation == "gelu_pytorch_tanh" else {
            throw HFCheckpointError.unsupportedFeature(file: fields.file, key: "activation_function", value: "\"\(activation)\"",
                                                       reason: "only the tanh GELU (gelu_new, gelu_pytorch_tanh) is implemented")
        }
        try requireFlag(fields, "scale_attn_weights", is: true, default: true, reason: "attention is always scaled by 1/sqrt(D)")
        try requireFlag(fields, "scale_attn_by_inverse_layer_idx", is: false, default: false, reason: "per-layer attention scaling is not implemented")
        try requireFlag(fields, "add_cross_attention", is: false, default: false, reason: "decoder-only models have no cross-attention")
        return TransformerConfig(
            architecture: .gpt2,
            vocabSize: try fields.positiveInt("vocab_size"),
            maxPositions: try fields.positiveInt("n_positions"),
            layers: try fields.positiveInt("n_layer"),
            width: width, heads: heads, kvHeads: heads, headDim: width / heads,
            ffnWidth: try fields.optionalPositiveInt("n_inner") ?? 4 * width,
            normEps: Float(try fields.positiveNumber("layer_norm_epsilon", default: 1e-5)),
            tiedEmbeddings: try fields.bool("tie_word_embeddings", default: true),
            bosTokenID: try specialToken(fields, "bos_token_id", default: 50256),
            eosTokenIDs: try stopTokens(fields, "eos_token_id", default: [50256]))
    }

    /// `LlamaConfig` fields.
    static func llamaConfig(from fields: HFConfigFields) throws -> TransformerConfig {
        let width = try fields.positiveInt("hidden_size")
        let heads = try fields.positiveInt("num_attention_heads")
        let kvHeads = try fields.optionalPositiveInt("num_key_value_heads") ?? heads
        guard heads % kvHeads == 0 else {
            throw fields.invalid("num_key_value_heads", .int(kvHeads), "a divisor of num_attention_heads (\(heads))")
        }
        let headDim: Int
        if let explicit = try fields.optionalPositiveInt("head_dim") {
            headDim = explicit
        } else {
            guard width % heads == 0 else {
                throw fields.invalid("num_attention_heads", .int(heads), "a divisor of hidden_size (\(width)) when head_dim is absent")
            }
            headDim = width / heads
        }
        let activation = try fields.string("hidden_act", default: "silu") ?? "silu"
        guard activation == "silu" else {
            throw HFCheckpointError.unsupportedFeature(file: fields.file, key: "hidden_act", value: "\"\(activation)\"",
                                                       reason: "only SwiGLU with silu is implemented")
        }
        try requireFlag(fields, "attention_bias", is: false, default: false, reason: "Llama projections have no biases here")
        try requireFlag(fields, "mlp_bias", is: false, default: false, reason: "Llama projections have no biases here")
        return TransformerConfig(
            architecture: .llama,
            vocabSize: try fields.positiveInt("vocab_size"),
            maxPositions: try fields.positiveInt("max_position_embeddings"),
            layers: try fields.positiveInt("num_hidden_layers"),
            width: width, heads: heads, kvHeads: kvHeads, headDim: headDim,
            ffnWidth: try fields.positiveInt("intermediate_size"),
            normEps: Float(try fields.positiveNumber("rms_norm_eps", default: 1e-6)),
            ropeBase: Float(try ropeBase(fields)),
            tiedEmbeddings: try fields.bool("tie_word_embeddings", default: false),
            bosTokenID: try specialToken(fields, "bos_token_id", default: 1),
            eosTokenIDs: try stopTokens(fields, "eos_token_id", default: [2]))
    }

    /// `BertConfig` fields. Dropout probabilities are read as inference does (no dropout); anything that
    /// changes the computation beyond the encoder implemented (relative positions, a decoder, cross-attention,
    /// another activation) is rejected.
    static func bertConfig(from fields: HFConfigFields) throws -> TransformerConfig {
        let width = try fields.positiveInt("hidden_size")
        let heads = try fields.positiveInt("num_attention_heads")
        guard width % heads == 0 else {
            throw fields.invalid("num_attention_heads", .int(heads), "a divisor of hidden_size (\(width))")
        }
        let activation = try fields.string("hidden_act", default: "gelu") ?? "gelu"
        guard activation == "gelu" else {
            throw HFCheckpointError.unsupportedFeature(file: fields.file, key: "hidden_act", value: "\"\(activation)\"",
                                                       reason: "only the exact (erf) GELU of BERT's \"gelu\" is implemented")
        }
        let positions = try fields.string("position_embedding_type", default: "absolute") ?? "absolute"
        guard positions == "absolute" else {
            throw HFCheckpointError.unsupportedFeature(file: fields.file, key: "position_embedding_type", value: "\"\(positions)\"",
                                                       reason: "only absolute position embeddings are implemented")
        }
        try requireFlag(fields, "is_decoder", is: false, default: false, reason: "BERT runs here as a bidirectional encoder")
        try requireFlag(fields, "add_cross_attention", is: false, default: false, reason: "cross-attention is not implemented")
        return TransformerConfig(
            architecture: .bert,
            vocabSize: try fields.positiveInt("vocab_size"),
            maxPositions: try fields.positiveInt("max_position_embeddings"),
            layers: try fields.positiveInt("num_hidden_layers"),
            width: width, heads: heads, kvHeads: heads, headDim: width / heads,
            ffnWidth: try fields.positiveInt("intermediate_size"),
            normEps: Float(try fields.positiveNumber("layer_norm_eps", default: 1e-12)),
            tiedEmbeddings: true, bosTokenID: nil, eosTokenIDs: [],
            typeVocabSize: try fields.optionalPositiveInt("type_vocab_size") ?? 2)
    }

    /// RoPE θ from `rope_parameters.rope_theta` (transformers 5) or `rope_theta` (4.x), default 10000;
    /// any RoPE scaling other than "default" is rejected.
    static func ropeBase(_ fields: HFConfigFields) throws -> Double {
        if let scaling = try fields.nested("rope_scaling") { try requireDefaultRope(scaling) }
        if let parameters = try fields.nested("rope_parameters") {
            try requireDefaultRope(parameters)
            if parameters.has("rope_theta") { return try parameters.positiveNumber("rope_theta", default: 10_000) }
        }
        return try fields.positiveNumber("rope_theta", default: 10_000)
    }

    private static func requireDefaultRope(_ fields: HFConfigFields) throws {
        for key in ["rope_type", "type"] {
            if let kind = try fields.string(key, default: nil), kind != "default" {
                throw HFCheckpointError.unsupportedFeature(file: fields.file, key: fields.keyPrefix + key, value: "\"\(kind)\"",
                                                           reason: "only unscaled (default) RoPE is implemented")
            }
        }
    }

    /// A token id; absent takes the family's default, `null` means none.
    private static func specialToken(_ fields: HFConfigFields, _ key: String, default defaultValue: Int) throws -> Int? {
        fields.has(key) ? try fields.optionalTokenID(key) : defaultValue
    }

    /// Token ids (one or a list); absent takes the family's default, `null` means none.
    private static func stopTokens(_ fields: HFConfigFields, _ key: String, default defaultValue: [Int]) throws -> [Int] {
        fields.has(key) ? try fields.tokenIDList(key) : defaultValue
    }

    private static func requireFlag(_ fields: HFConfigFields, _ key: String, is required: Bool, default defaultValue: Bool,
                                    reason: String) throws {
        let value = try fields.bool(key, default: defaultValue)
        guard value == required else {
            throw HFCheckpointError.unsupportedFeature(file: fields.file, key: key, value: String(value), reason: reason)
        }
    }
}
