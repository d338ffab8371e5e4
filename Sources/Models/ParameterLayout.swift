/// The Swift-side parameter names and shapes of each architecture, in layout order.
///
/// Projection weights are stored [out, in] (PyTorch `nn.Linear` order); GPT-2's fused q|k|v, Llama's
/// and BERT's fused q|k|v and Llama's gate|up are single tensors whose row blocks ModelIO fills from the
/// separate Hugging Face tensors. BERT's `attn_norm` and `mlp_norm` follow their sublayer (post-LN), and
/// its pooler (dense [C,C] + tanh over [CLS]) lives with the trunk, as in `BertModel`.
package enum ParameterLayout {
    /// Parameter list for `config`; without `lmHead` (a sequence classifier's trunk) an untied model has
    /// no `lm_head.weight`.
    package static func specs(for config: TransformerConfig, lmHead: Bool = true) -> [(String, [Int], ParameterRole)] {
        let C = config.width, V = config.vocabSize, F = config.ffnWidth
        var specs: [(String, [Int], ParameterRole)] = [("embed.tokens", [V, C], .embedding)]
        switch config.architecture {
        case .gpt2:
            specs.append(("embed.positions", [config.maxPositions, C], .embedding))
            for l in 0..<config.layers {
                let p = "layers.\(l)."
                specs += [
                    (p + "attn_norm.weight", [C], .vector), (p + "attn_norm.bias", [C], .vector),
                    (p + "attn.qkv.weight", [config.qkvWidth, C], .matrix), (p + "attn.qkv.bias", [config.qkvWidth], .vector),
                    (p + "attn.out.weight", [C, config.attentionWidth], .matrix), (p + "attn.out.bias", [C], .vector),
                    (p + "mlp_norm.weight", [C], .vector), (p + "mlp_norm.bias", [C], .vector),
                    (p + "mlp.up.weight", [F, C], .matrix), (p + "mlp.up.bias", [F], .vector),
                    (p + "mlp.down.weight", [C, F], .matrix), (p + "mlp.down.bias", [C], .vector),
                ]
            }
            specs += [("final_norm.weight", [C], .vector), ("final_norm.bias", [C], .vector)]
        case .llama:
            for l in 0..<config.layers {
                let p = "layers.\(l)."
                specs += [
                    (p + "attn_norm.weight", [C], .vector),
                    (p + "attn.qkv.weight", [config.qkvWidth, C], .matrix),
                    (p + "attn.out.weight", [C, config.attentionWidth], .matrix),
                    (p + "mlp_norm.weight", [C], .vector),
                    (p + "mlp.gate_up.weight", [2 * F, C], .matrix),
                    (p + "mlp.down.weight", [C, F], .matrix),
                ]
            }
            specs.append(("final_norm.weight", [C], .vector))
        case .bert:
            specs += [("embed.positions", [config.maxPositions, C], .embedding),
                      ("embed.types", [config.typeVocabSize, C], .embedding),
                      ("embed_norm.weight", [C], .vector), ("embed_norm.bias", [C], .vector)]
            for l in 0..<config.layers {
                let p = "layers.\(l)."
                specs += [
                    (p + "attn.qkv.weight", [config.qkvWidth, C], .matrix), (p + "attn.qkv.bias", [config.qkvWidth], .vector),
                    (p + "attn.out.weight", [C, config.attentionWidth], .matrix), (p + "attn.out.bias", [C], .vector),
                    (p + "attn_norm.weight", [C], .vector), (p + "attn_norm.bias", [C], .vector),
                    (p + "mlp.up.weight", [F, C], .matrix), (p + "mlp.up.bias", [F], .vector),
                    (p + "mlp.down.weight", [C, F], .matrix), (p + "mlp.down.bias", [C], .vector),
                    (p + "mlp_norm.weight", [C], .vector), (p + "mlp_norm.bias", [C], .vector),
                ]
            }
            specs += [("pooler.weight", [C, C], .matrix), ("pooler.bias", [C], .vector)]
            return specs  // an encoder has no LM head
        }
        if lmHead && !config.tiedEmbeddings { specs.append(("lm_head.weight", [V, C], .matrix)) }
        return specs
    }
}
