import Models

/// `GPT2LMHeadModel` keys ⇄ Swift GPT-2 parameters. Conv1D weights are stored [in, out] by Hugging Face
/// and [out, in] here, so every projection weight is transposed; biases and norms are copied.
enum HFGPT2KeyMap {
    static let prefix = "transformer."

    static func bindings(for config: TransformerConfig) -> [HFTensorBinding] {
        let C = config.width, F = config.ffnWidth, V = config.vocabSize
        let QKV = config.qkvWidth, A = config.attentionWidth
        var bindings = [
            HFTensorBinding(hfKey: "transformer.wte.weight", hfShape: [V, C], parameter: "embed.tokens", placement: .whole),
            HFTensorBinding(hfKey: "transformer.wpe.weight", hfShape: [config.maxPositions, C], parameter: "embed.positions", placement: .whole),
        ]
        for l in 0..<config.layers {
            let hf = "transformer.h.\(l).", swift = "layers.\(l)."
            func bind(_ hfName: String, _ shape: [Int], _ swiftName: String, _ placement: HFTensorBinding.Placement = .whole) {
                bindings.append(HFTensorBinding(hfKey: hf + hfName, hfShape: shape, parameter: swift + swiftName, placement: placement))
            }
            bind("ln_1.weight", [C], "attn_norm.weight")
            bind("ln_1.bias", [C], "attn_norm.bias")
            bind("attn.c_attn.weight", [C, QKV], "attn.qkv.weight", .transposed)
            bind("attn.c_attn.bias", [QKV], "attn.qkv.bias")
            bind("attn.c_proj.weight", [A, C], "attn.out.weight", .transposed)
            bind("attn.c_proj.bias", [C], "attn.out.bias")
            bind("ln_2.weight", [C], "mlp_norm.weight")
            bind("ln_2.bias", [C], "mlp_norm.bias")
            bind("mlp.c_fc.weight", [C, F], "mlp.up.weight", .transposed)
            bind("mlp.c_fc.bias", [F], "mlp.up.bias")
            bind("mlp.c_proj.weight", [F, C], "mlp.down.weight", .transposed)
            bind("mlp.c_proj.bias", [C], "mlp.down.bias")
        }
        bindings += [
            HFTensorBinding(hfKey: "transformer.ln_f.weight", hfShape: [C], parameter: "final_norm.weight", placement: .whole),
            HFTensorBinding(hfKey: "transformer.ln_f.bias", hfShape: [C], parameter: "final_norm.bias", placement: .whole),
        ]
        return bindings
    }

    /// Adds the `transformer.` prefix that `GPT2Model` checkpoints lack (the LM head has none).
    static func canonicalKey(_ key: String) -> String {
        key.hasPrefix(prefix) || HFKeyMap.headKeys.contains(key) ? key : prefix + key
    }

    /// `transformer.h.<L>.attn.bias` / `.attn.masked_bias`: causal-mask buffers from older transformers.
    static func isNonParameterBuffer(_ key: String) -> Bool {
        let parts = key.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 5 && parts[0] == "transformer" && parts[1] == "h" && Int(parts[2]) != nil
            && parts[3] == "attn" && (parts[4] == "bias" || parts[4] == "masked_bias")
    }
}
