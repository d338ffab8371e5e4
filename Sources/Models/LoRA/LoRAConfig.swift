/// What a LoRA adapter is: its rank r, its alpha (the update is scaled by alpha / r, PEFT's
/// `scaling`) and the projections it sits on, by their Hugging Face module names (Llama `q_proj`,
/// `k_proj`, `v_proj`, `o_proj`, `gate_proj`, `up_proj`, `down_proj`; GPT-2 `c_attn`, `c_proj`, `c_fc`).
public struct LoRAConfig: Sendable, Equatable {
    /// The rank r of every A [r, in] and B [out, r].
    public var rank: Int
    /// PEFT's `lora_alpha`.
    public var alpha: Double
    /// Target module names, as PEFT's `target_modules` lists them.
    public var targets: [String]

    /// A config; `alpha` defaults to 2·r when nil, `targets` to PEFT's defaults for the architecture.
    public init(rank: Int, alpha: Double? = nil, targets: [String]) {
        self.rank = rank
        self.alpha = alpha ?? Double(2 * rank)
        self.targets = targets
    }

    /// alpha / r: the factor on B·A.
    public var scale: Float { Float(alpha / Double(rank)) }

    /// PEFT's default targets for an architecture (`q_proj,v_proj` for Llama, `c_attn` for GPT-2).
    public static func defaultTargets(for architecture: Architecture) -> [String] {
        switch architecture {
        case .llama: ["q_proj", "v_proj"]
        case .gpt2: ["c_attn"]
        case .bert: []
        }
    }

    /// Every target name the architecture has, in layer order.
    public static func knownTargets(for architecture: Architecture) -> [String] {
        switch architecture {
        case .llama: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
        case .gpt2: ["c_attn", "c_proj", "c_fc"]
        case .bert: []
        }
    }
}
