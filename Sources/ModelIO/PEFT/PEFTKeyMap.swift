import Models

/// Swift LoRA slots ⇄ the tensor keys PEFT saves for a `LlamaForCausalLM` or `GPT2LMHeadModel`:
/// `base_model.model.<module path>.lora_A.weight` [r, in] and `.lora_B.weight` [out, r] (PEFT's
/// `lora_A`/`lora_B` are Linear layers even on GPT-2's Conv1D, so neither is transposed).
enum PEFTKeyMap {
    /// The module path of `slot`, e.g. `model.layers.0.self_attn.q_proj` or `transformer.h.0.mlp.c_proj`.
    static func module(_ slot: LoRASlot, architecture: Architecture) -> String {
        switch architecture {
        case .gpt2:
            let parent = slot.projection == .qkv || slot.projection == .attnOut ? "attn" : "mlp"
            return "transformer.h.\(slot.layer).\(parent).\(slot.target)"
        default:
            let parent = ["q_proj", "k_proj", "v_proj", "o_proj"].contains(slot.target) ? "self_attn" : "mlp"
            return "model.layers.\(slot.layer).\(parent).\(slot.target)"
        }
    }

    /// The keys of A and B for `slot`.
    static func keys(_ slot: LoRASlot, architecture: Architecture) -> (a: String, b: String) {
        let prefix = "base_model.model." + module(slot, architecture: architecture)
        return (prefix + ".lora_A.weight", prefix + ".lora_B.weight")
    }
}
