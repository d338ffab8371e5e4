import Models

/// Where one GGUF tensor goes in the Swift parameter store.
package struct GGUFTensorPlacement: Sendable, Equatable {
    /// llama.cpp's name, e.g. `blk.3.attn_k.weight`.
    package var ggufName: String
    /// Swift parameter name, e.g. `layers.3.attn.qkv.weight`.
    package var swiftName: String
    /// Row-major shape the GGUF tensor must have.
    package var shape: [Int]
    /// First row of the Swift tensor that the GGUF tensor fills (row blocks of fused tensors).
    package var firstRow: Int
    /// Head dimension when the rows are in llama.cpp's interleaved rotary order (q and k), else nil.
    package var rotaryHeadDim: Int?
}

/// The `llama` architecture's tensor names (llama.cpp) mapped onto the Swift Llama's parameters.
package enum GGUFLlamaTensorMap {
    /// Every GGUF tensor a model with `config` must contain, and where it goes.
    package static func placements(for config: TransformerConfig) -> [GGUFTensorPlacement] {
        let C = config.width, V = config.vocabSize, F = config.ffnWidth, D = config.headDim
        let qRows = config.heads * D, kvRows = config.kvHeads * D
        func place(_ gguf: String, _ swift: String, _ shape: [Int], row: Int = 0, rotary: Int? = nil) -> GGUFTensorPlacement {
            GGUFTensorPlacement(ggufName: gguf, swiftName: swift, shape: shape, firstRow: row, rotaryHeadDim: rotary)
        }
        var list = [place("token_embd.weight", "embed.tokens", [V, C])]
        for l in 0..<config.layers {
            let g = "blk.\(l).", s = "layers.\(l)."
            list += [
                place(g + "attn_norm.weight", s + "attn_norm.weight", [C]),
                place(g + "attn_q.weight", s + "attn.qkv.weight", [qRows, C], row: 0, rotary: D),
                place(g + "attn_k.weight", s + "attn.qkv.weight", [kvRows, C], row: qRows, rotary: D),
                place(g + "attn_v.weight", s + "attn.qkv.weight", [kvRows, C], row: qRows + kvRows),
                place(g + "attn_output.weight", s + "attn.out.weight", [C, qRows]),
                place(g + "ffn_norm.weight", s + "mlp_norm.weight", [C]),
                place(g + "ffn_gate.weight", s + "mlp.gate_up.weight", [F, C], row: 0),
                place(g + "ffn_up.weight", s + "mlp.gate_up.weight", [F, C], row: F),
                place(g + "ffn_down.weight", s + "mlp.down.weight", [C, F]),
            ]
        }
        list.append(place("output_norm.weight", "final_norm.weight", [C]))
        if !config.tiedEmbeddings { list.append(place("output.weight", "lm_head.weight", [V, C])) }
        return list
    }
}
