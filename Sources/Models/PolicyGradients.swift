/// What `CausalLM.tokenLogProbs` returns: per position of the last forward batch, [B·T] each.
public struct TokenLogProbs: Sendable, Equatable {
    /// log softmax(logits / T)[target] (0 where the target is −1).
    public var logProbs: [Float]
    /// Entropy of softmax(logits / T), when asked for.
    public var entropy: [Float]?
    /// The value head's output, when asked for (`CausalLM.scoreTokens(values: true)`).
    public var values: [Float]? = nil
}

/// Upstream gradients for one backward pass through a policy: any combination of the LM head's
/// log-prob, entropy and logit gradients and the value head's, summed into one gradient of the trunk.
/// Every array is over the positions of the last forward batch ([B·T], or [B·T·V] for logits).
public struct PolicyGradients: Sendable {
    /// The chosen token at each position (−1 = none) whose log-prob `logProbs` weighs.
    public var targets: [Int32]?
    /// d loss / d logp[n] of the chosen tokens at `temperature` (what PPO and DPO need).
    public var logProbs: [Float]?
    /// d loss / d entropy[n] at `temperature` (an entropy bonus).
    public var entropy: [Float]?
    /// The temperature of the log-probs and the entropy: logits / T, then log-softmax, as the sampler does.
    public var temperature: Float
    /// d loss / d logits [B·T·V], added to the other LM-head gradients.
    public var logits: [Float]?
    /// d loss / d value[n] of the value head.
    public var values: [Float]?

    /// Gradients (all optional); `temperature` applies to `logProbs` and `entropy`.
    public init(targets: [Int32]? = nil, logProbs: [Float]? = nil, entropy: [Float]? = nil, temperature: Float = 1,
                logits: [Float]? = nil, values: [Float]? = nil) {
        self.targets = targets; self.logProbs = logProbs; self.entropy = entropy; self.temperature = temperature
        self.logits = logits; self.values = values
    }

    /// Whether any gradient reaches the LM head.
    var touchesLMHead: Bool { logProbs != nil || entropy != nil || logits != nil }
}
