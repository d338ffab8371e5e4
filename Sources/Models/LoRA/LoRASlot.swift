/// The Swift projections an adapter can add to (each block has one of each).
package enum LoRAProjection: String, Sendable, CaseIterable {
    /// The fused q|k|v projection `attn.qkv.weight` [(H+2KV)·D, C].
    case qkv = "attn.qkv"
    /// The attention output projection `attn.out.weight` [C, H·D].
    case attnOut = "attn.out"
    /// The MLP's up projection (`mlp.up.weight` [F, C]; Llama's fused `mlp.gate_up.weight` [2F, C]).
    case mlpUp = "mlp.up"
    /// The MLP's down projection `mlp.down.weight` [C, F].
    case mlpDown = "mlp.down"
}

/// One adapted projection of one layer: the row block [rowOffset, rowOffset + rows) of the base
/// weight's output (all of it, or q, k or v inside the fused q|k|v, gate or up inside gate|up) that
/// scale · B·A adds to, and its input width.
package struct LoRASlot: Sendable, Equatable {
    /// The block.
    package let layer: Int
    /// The Hugging Face target name it comes from (`q_proj`, `c_proj`, ...).
    package let target: String
    /// The Swift projection it adds to.
    package let projection: LoRAProjection
    /// First output row of the base weight it adds to.
    package let rowOffset: Int
    /// Output rows: B is [rows, r].
    package let rows: Int
    /// Input width: A is [r, inFeatures].
    package let inFeatures: Int

    /// Swift name of the slot, e.g. `layers.0.attn.qkv.q_proj` (A and B are `<name>.lora_A`, `.lora_B`).
    package var name: String { "layers.\(layer).\(projection.rawValue).\(target)" }

    /// The slots `targets` (Hugging Face names, each at most once) put on every layer of `config`, layer
    /// by layer in the architecture's order. GPT-2's `c_proj` names both attn.c_proj and mlp.c_proj, as
    /// PEFT's suffix match does.
    package static func slots(for config: TransformerConfig, targets: [String]) throws(LoRAError) -> [LoRASlot] {
        let known = LoRAConfig.knownTargets(for: config.architecture)
        guard !known.isEmpty else { throw .unsupported(config.architecture) }
        guard !targets.isEmpty else { throw .targets("none given") }
        var seen = Set<String>()
        for t in targets {
            guard known.contains(t) else { throw .unknownTarget(t, architecture: config.architecture, known: known) }
            guard seen.insert(t).inserted else { throw .targets("\(t) is named twice") }
        }
        let C = config.width, F = config.ffnWidth, A = config.attentionWidth
        let H = config.heads * config.headDim, KV = config.kvHeads * config.headDim
        // (target, projection, row offset, rows, in) in the order the block runs them
        let table: [(String, LoRAProjection, Int, Int, Int)] = switch config.architecture {
        case .llama: [("q_proj", .qkv, 0, H, C), ("k_proj", .qkv, H, KV, C), ("v_proj", .qkv, H + KV, KV, C),
                      ("o_proj", .attnOut, 0, C, A), ("gate_proj", .mlpUp, 0, F, C), ("up_proj", .mlpUp, F, F, C),
                      ("down_proj", .mlpDown, 0, C, F)]
        case .gpt2: [("c_attn", .qkv, 0, config.qkvWidth, C), ("c_proj", .attnOut, 0, C, A),
                     ("c_fc", .mlpUp, 0, F, C), ("c_proj", .mlpDown, 0, C, F)]
        case .bert: []
        }
        var slots: [LoRASlot] = []
        for l in 0..<config.layers {
            for (target, projection, offset, rows, inFeatures) in table where seen.contains(target) {
                slots.append(LoRASlot(layer: l, target: target, projection: projection, rowOffset: offset, rows: rows,
                                      inFeatures: inFeatures))
            }
        }
        return slots
    }

    /// Swift name of the base weight this slot adds to in `architecture`.
    package func baseWeight(_ architecture: Architecture) -> String {
        let suffix = projection == .mlpUp && architecture == .llama ? "mlp.gate_up" : projection.rawValue
        return "layers.\(layer).\(suffix).weight"
    }
}
