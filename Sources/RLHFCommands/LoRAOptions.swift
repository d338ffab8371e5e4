import ArgumentParser
import Foundation
import Models

/// `--lora-rank R [--lora-alpha A] [--lora-targets q_proj,v_proj,...]`: train only a LoRA adapter on the
/// frozen model (`rlhf sft`, `rlhf dpo`); the output folder is then the adapter in PEFT's layout.
struct LoRAOptions: ParsableArguments {
    @Option(help: "Train only a LoRA adapter of this rank on the frozen model; OUTPUT is then the adapter in PEFT's layout (adapter_config.json, adapter_model.safetensors).")
    var loraRank: Int?

    @Option(help: "The adapter's alpha: its update is scaled by alpha / rank (default: 2 × rank).")
    var loraAlpha: Double?

    @Option(help: "Projections the adapter targets, comma-separated Hugging Face names (Llama q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj; GPT-2 c_attn,c_proj,c_fc; default: PEFT's, q_proj,v_proj or c_attn).")
    var loraTargets: String?

    /// Whether an adapter is asked for.
    var enabled: Bool { loraRank != nil }

    func validate() throws {
        if let loraRank { guard loraRank >= 1, loraRank <= 4096 else { throw ValidationError("--lora-rank must be between 1 and 4096, got \(loraRank)") } }
        if let loraAlpha { guard loraAlpha > 0, loraAlpha.isFinite else { throw ValidationError("--lora-alpha must be a positive number, got \(loraAlpha)") } }
        if loraRank == nil && (loraAlpha != nil || loraTargets != nil) {
            throw ValidationError("--lora-alpha and --lora-targets need --lora-rank")
        }
        if let loraTargets, targets(loraTargets).isEmpty { throw ValidationError("--lora-targets is empty; name at least one projection") }
    }

    private func targets(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Freezes `model` and attaches a new adapter (A seeded by `seed`, B = 0) when `--lora-rank` is given.
    func attachAdapter(to model: CausalLM, seed: UInt64) throws -> LoRAAdapter? {
        guard let loraRank else { return nil }
        let names = loraTargets.map(targets) ?? LoRAConfig.defaultTargets(for: model.config.architecture)
        let adapter: LoRAAdapter
        do {
            adapter = try LoRAAdapter(config: LoRAConfig(rank: loraRank, alpha: loraAlpha, targets: names), model: model.config,
                                      backend: model.backend, seed: seed)
        } catch {
            throw CommandInputError.flags("--lora-rank/--lora-targets: \(error)")
        }
        model.freeze()
        try model.attach(adapter: adapter)
        return adapter
    }
}
