import Models

/// The Hugging Face tensor keys of each supported architecture and where they land in the Swift layout.
///
/// This is the only place Hugging Face key names appear (with `HFGPT2KeyMap`, `HFLlamaKeyMap` and
/// `HFBertKeyMap`).
enum HFKeyMap {
    /// Every tensor a checkpoint of `config` must hold, in Swift layout order (without `lmHead`, a
    /// sequence classifier's trunk, no untied LM head).
    static func bindings(for config: TransformerConfig, lmHead: Bool = true) -> [HFTensorBinding] {
        var bindings: [HFTensorBinding]
        switch config.architecture {
        case .gpt2: bindings = HFGPT2KeyMap.bindings(for: config)
        case .llama: bindings = HFLlamaKeyMap.bindings(for: config)
        case .bert: return HFBertKeyMap.bindings(for: config)  // an encoder has no LM head
        }
        if lmHead && !config.tiedEmbeddings {
            bindings.append(HFTensorBinding(hfKey: lmHeadKey, hfShape: [config.vocabSize, config.width],
                                            parameter: "lm_head.weight", placement: .whole))
        }
        return bindings
    }

    /// The untied output projection, same key in both families.
    static let lmHeadKey = "lm_head.weight"
    /// Keys of heads that sit beside the trunk, never under its prefix: the LM head and a sequence
    /// classifier's score.
    static let headKeys: Set<String> = Set([lmHeadKey, "score.weight"] + HFBertKeyMap.classifierKeys)

    /// The key as `bindings` spells it (GPT-2 checkpoints saved from `GPT2Model` lack `transformer.`).
    static func canonicalKey(_ key: String, for config: TransformerConfig) -> String {
        switch config.architecture {
        case .gpt2: return HFGPT2KeyMap.canonicalKey(key)
        case .llama: return key
        case .bert: return HFBertKeyMap.canonicalKey(key)
        }
    }

    /// Whether a (canonical) key is a tensor that is not a parameter and is skipped on load: causal-mask and
    /// RoPE buffers that older `transformers` saved, and the LM head of a model with tied embeddings.
    static func isIgnored(_ key: String, for config: TransformerConfig) -> Bool {
        if key == lmHeadKey { return config.tiedEmbeddings }
        switch config.architecture {
        case .gpt2: return HFGPT2KeyMap.isNonParameterBuffer(key)
        case .llama: return HFLlamaKeyMap.isNonParameterBuffer(key)
        case .bert: return HFBertKeyMap.isNonParameterBuffer(key)
        }
    }
}
