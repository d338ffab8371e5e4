import Models

/// `BertModel` / `BertForSequenceClassification` keys ⇄ Swift BERT parameters. The separate query/key/value
/// projections (and their biases) fill row blocks of the fused `attn.qkv`; every other tensor is copied
/// in its layout. Checkpoints saved from a bare `BertModel` (all-MiniLM-L6-v2) lack the `bert.` prefix.
enum HFBertKeyMap {
    static let prefix = "bert."
    /// `BertForSequenceClassification`'s head: Linear(C → labels) with a bias, beside the trunk.
    static let classifierKeys = ["classifier.weight", "classifier.bias"]

    static func bindings(for config: TransformerConfig) -> [HFTensorBinding] {
        let C = config.width, F = config.ffnWidth, V = config.vocabSize
        func whole(_ hfKey: String, _ shape: [Int], _ parameter: String) -> HFTensorBinding {
            HFTensorBinding(hfKey: prefix + hfKey, hfShape: shape, parameter: parameter, placement: .whole)
        }
        var bindings = [
            whole("embeddings.word_embeddings.weight", [V, C], "embed.tokens"),
            whole("embeddings.position_embeddings.weight", [config.maxPositions, C], "embed.positions"),
            whole("embeddings.token_type_embeddings.weight", [config.typeVocabSize, C], "embed.types"),
            whole("embeddings.LayerNorm.weight", [C], "embed_norm.weight"),
            whole("embeddings.LayerNorm.bias", [C], "embed_norm.bias"),
        ]
        for l in 0..<config.layers {
            let hf = prefix + "encoder.layer.\(l).", swift = "layers.\(l)."
            func bind(_ hfName: String, _ shape: [Int], _ swiftName: String, _ placement: HFTensorBinding.Placement = .whole) {
                bindings.append(HFTensorBinding(hfKey: hf + hfName, hfShape: shape, parameter: swift + swiftName, placement: placement))
            }
            for (i, name) in ["query", "key", "value"].enumerated() {
                bind("attention.self.\(name).weight", [C, C], "attn.qkv.weight", .rows(start: i * C))
                bind("attention.self.\(name).bias", [C], "attn.qkv.bias", .rows(start: i * C))
            }
            bind("attention.output.dense.weight", [C, C], "attn.out.weight")
            bind("attention.output.dense.bias", [C], "attn.out.bias")
            bind("attention.output.LayerNorm.weight", [C], "attn_norm.weight")
            bind("attention.output.LayerNorm.bias", [C], "attn_norm.bias")
            bind("intermediate.dense.weight", [F, C], "mlp.up.weight")
            bind("intermediate.dense.bias", [F], "mlp.up.bias")
            bind("output.dense.weight", [C, F], "mlp.down.weight")
            bind("output.dense.bias", [C], "mlp.down.bias")
            bind("output.LayerNorm.weight", [C], "mlp_norm.weight")
            bind("output.LayerNorm.bias", [C], "mlp_norm.bias")
        }
        bindings += [whole("pooler.dense.weight", [C, C], "pooler.weight"), whole("pooler.dense.bias", [C], "pooler.bias")]
        return bindings
    }

    /// Adds the `bert.` prefix that bare `BertModel` checkpoints lack (the classifier head has none).
    static func canonicalKey(_ key: String) -> String {
        key.hasPrefix(prefix) || classifierKeys.contains(key) ? key : prefix + key
    }

    /// `bert.embeddings.position_ids` (and `token_type_ids`): index buffers some transformers versions saved.
    static func isNonParameterBuffer(_ key: String) -> Bool {
        key == prefix + "embeddings.position_ids" || key == prefix + "embeddings.token_type_ids"
    }
}
