import Models

/// Reads a `llama` GGUF file's hyper-parameters into a `TransformerConfig`.
package enum GGUFLlamaConfig {
    /// The config of the model in `file`; throws for other architectures or unsupported features.
    package static func config(from file: GGUFFile) throws -> TransformerConfig {
        let architecture = try file.architecture()
        guard architecture == "llama" else { throw GGUFError.unknownArchitecture(file: file.path, architecture: architecture) }
        let p = "llama."
        let width = try positive(file, p + "embedding_length")
        let layers = try positive(file, p + "block_count")
        let ffnWidth = try positive(file, p + "feed_forward_length")
        let heads = try positive(file, p + "attention.head_count")
        let kvHeads = try file.optionalInt(p + "attention.head_count_kv") ?? heads
        guard kvHeads > 0, heads % kvHeads == 0 else {
            throw GGUFError.invalidMetadata(file: file.path, key: p + "attention.head_count_kv",
                                            reason: "\(kvHeads) does not divide the \(heads) query heads")
        }
        let headDim = try file.optionalInt(p + "attention.key_length") ?? width / heads
        if let valueDim = try file.optionalInt(p + "attention.value_length"), valueDim != headDim {
            throw GGUFError.unsupportedModel(file: file.path, key: p + "attention.value_length",
                                             reason: "value head size \(valueDim) differs from key head size \(headDim)")
        }
        guard headDim > 0, headDim % 2 == 0 else {
            throw GGUFError.invalidMetadata(file: file.path, key: p + "attention.head_count",
                                            reason: "head dimension \(headDim) must be positive and even")
        }
        let rotaryDims = try file.optionalInt(p + "rope.dimension_count") ?? headDim
        guard rotaryDims == headDim else {
            throw GGUFError.unsupportedModel(file: file.path, key: p + "rope.dimension_count",
                                             reason: "partial rotary embeddings (\(rotaryDims) of \(headDim) dims) are not implemented")
        }
        if let scaling = try file.optionalString(p + "rope.scaling.type"), scaling != "none" {
            throw GGUFError.unsupportedModel(file: file.path, key: p + "rope.scaling.type",
                                             reason: "RoPE scaling '\(scaling)' is not implemented")
        }
        guard let embedding = file.tensor(named: "token_embd.weight") else {
            throw GGUFError.missingTensor(file: file.path, tensor: "token_embd.weight")
        }
        guard embedding.shape.count == 2 else {
            throw GGUFError.shapeMismatch(file: file.path, tensor: embedding.name, expected: [-1, width], found: embedding.shape)
        }
        let vocabSize = embedding.shape[0]
        var eosTokenIDs: [Int] = []
        for key in ["tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id"] {
            if let id = try file.optionalInt(key), !eosTokenIDs.contains(id) { eosTokenIDs.append(id) }
        }
        let config = TransformerConfig(
            architecture: .llama, vocabSize: vocabSize, maxPositions: try positive(file, p + "context_length"),
            layers: layers, width: width, heads: heads, kvHeads: kvHeads, headDim: headDim, ffnWidth: ffnWidth,
            normEps: Float(try file.optionalDouble(p + "attention.layer_norm_rms_epsilon") ?? 1e-5),
            ropeBase: Float(try file.optionalDouble(p + "rope.freq_base") ?? 10_000),
            tiedEmbeddings: file.tensor(named: "output.weight") == nil,
            bosTokenID: try file.optionalInt("tokenizer.ggml.bos_token_id"), eosTokenIDs: eosTokenIDs)
        do { try config.validate() } catch let error as TransformerConfigError {
            throw GGUFError.invalidMetadata(file: file.path, key: key(for: error.field), reason: error.description)
        }
        return config
    }

    /// The metadata key (or tensor) that sets `field`.
    static func key(for field: TransformerConfigError.Field) -> String {
        switch field {
        case .vocabSize: "token_embd.weight (rows)"
        case .maxPositions: "llama.context_length"
        case .layers: "llama.block_count"
        case .width: "llama.embedding_length"
        case .heads: "llama.attention.head_count"
        case .kvHeads: "llama.attention.head_count_kv"
        case .headDim: "llama.attention.key_length"
        case .ffnWidth: "llama.feed_forward_length"
        case .normEps: "llama.attention.layer_norm_rms_epsilon"
        case .ropeBase: "llama.rope.freq_base"
        case .typeVocabSize: "(none: llama has no token types)"
        }
    }

    /// The integer at `key`, which must be > 0.
    private static func positive(_ file: GGUFFile, _ key: String) throws -> Int {
        let value = try file.int(key)
        guard value > 0 else { throw GGUFError.invalidMetadata(file: file.path, key: key, reason: "\(value) is not positive") }
        return value
    }
}
