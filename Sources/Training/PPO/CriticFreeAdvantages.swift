/// Critic-free advantages from k samples per prompt (consecutive rows of a batch share a prompt), one per
/// sequence, broadcast by the caller to its response tokens:
/// - RLOO (Ahmadian et al.; TRL's RLOOTrainer): rᵢ − mean of the other k − 1 rewards of its prompt;
/// - GRPO (Shao et al.; TRL's GRPOTrainer): (rᵢ − mean) / (std + 1e-4) over its prompt's k rewards, std
///   with Bessel's correction as `torch.std`.
public enum CriticFreeAdvantages {
    /// The leave-one-out advantage of each of `rewards` [B], in groups of `samplesPerPrompt`.
    public static func rloo(rewards: [Double], samplesPerPrompt k: Int) throws(PPOInputError) -> [Double] {
        try checkGroups(rewards.count, k)
        var out = [Double](repeating: 0, count: rewards.count)
        for start in stride(from: 0, to: rewards.count, by: k) {
            let group = rewards[start..<(start + k)]
            let total = group.reduce(0, +)
            for i in group.indices { out[i] = rewards[i] - (total - rewards[i]) / Double(k - 1) }
        }
        return out
    }

    /// The group-normalised advantage of each of `rewards` [B], in groups of `samplesPerPrompt`.
    public static func grpo(rewards: [Double], samplesPerPrompt k: Int) throws(PPOInputError) -> [Double] {
        try checkGroups(rewards.count, k)
        var out = [Double](repeating: 0, count: rewards.count)
        for start in stride(from: 0, to: rewards.count, by: k) {
            let group = rewards[start..<(start + k)]
            let mean = group.reduce(0, +) / Double(k)
            let variance = group.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(k - 1)
            for i in group.indices { out[i] = (rewards[i] - mean) / (variance.squareRoot() + 1e-4) }
        }
        return out
    }

    private static func checkGroups(_ batch: Int, _ k: Int) throws(PPOInputError) {
        guard k >= 2, batch % k == 0 else { throw .invalidGroupSize(samplesPerPrompt: k, batch: batch) }
    }
}
