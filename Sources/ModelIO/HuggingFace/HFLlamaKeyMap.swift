import Models

/// `LlamaForCausalLM` keys ⇄ Swift Llama parameters. The separate q/k/v projections fill row blocks of the
/// fused `attn.qkv.weight` [(H+2KV)·D, C], gate/up fill `mlp.gate_up.weight` [2F, C]; layouts are unchanged
/// (the Swift RoPE uses the same rotate-half pairing, so q/k need no permutation).
enum HFLlamaKeyMap {
    static func bindings(for config: TransformerConfig) -> [HFTensorBinding] {
        let C = config.width, F = config.ffnWidth, V = config.vocabSize
        let D = config.headDim, H = config.heads, KV = config.kvHeads
        var bindings = [
            HFTensorBinding(hfKey: "model.embed_tokens.weight", hfShape: [V, C], parameter: "embed.tokens", placement: .whole),
        ]
        for l in 0..<config.layers {
            let hf = "model.layers.\(l).", swift = "layers.\(l)."
            func bind(_ hfName: String, _ shape: [Int], _ swiftName: String, _ placement: HFTensorBinding.Placement = .whole) {
                bindings.append(HFTensorBinding(hfKey: hf + hfName, hfShape: shape, parameter: swift + swiftName, placement: placement))
            }
            bind("input_layernorm.weight", [C], "attn_norm.weight")
            bind("self_attn.q_proj.weight", [H * D, C], "attn.qkv.weight", .rows(start: 0))
            bind("self_attn.k_proj.weight", [KV * D, C], "attn.qkv.weight", .rows(start: H * D))
            bind("self_attn.v_proj.weight", [KV * D, C], "attn.qkv.weight", .rows(start: (H + KV) * D))
            bind("self_attn.o_proj.weight", [C, H * D], "attn.out.weight")
            bind("post_attention_layernorm.weight", [C], "mlp_norm.weight")
            bind("mlp.gate_proj.weight", [F, C], "mlp.gate_up.weight", .rows(start: 0))
            bind("mlp.up_proj.weight", [F, C], "mlp.gate_up.weight", .rows(start: F))
            bind("mlp.down_proj.weight", [C, F], "mlp.down.weight")
        }
        bindings.append(HFTensorBinding(hfKey: "model.norm.weight", hfShape: [C], parameter: "final_norm.weight", placement: .whole))
        return bindings
    }

    /// `model.layers.<L>.self_attn.rotary_emb.inv_freq`: a RoPE buffer older transformers saved.
    static func isNonParameterBuffer(_ key: String) -> Bool {
        key.hasPrefix("model.layers.") && key.hasSuffix(".self_attn.rotary_emb.inv_freq")
    }
}
