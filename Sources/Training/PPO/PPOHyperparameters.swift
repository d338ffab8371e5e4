/// The PPO learner's settings, named as TRL 0.11's `PPOConfig` names them.
public struct PPOHyperparameters: Sendable, Equatable, Codable {
    /// AdamW learning rate of the policy and its value head (`learning_rate`).
    public var learningRate: Double = 1.41e-5
    /// Sequences per PPO batch (`batch_size`).
    public var batchSize: Int = 16
    /// Sequences per minibatch (`mini_batch_size`).
    public var miniBatchSize: Int = 4
    /// Passes over the batch (`ppo_epochs`).
    public var ppoEpochs: Int = 4
    /// Discount (`gamma`) and GAE λ (`lam`).
    public var gamma: Double = 1, lambda: Double = 0.95
    /// Policy ratio clip ε (`cliprange`) and value clip (`cliprange_value`).
    public var clipRange: Double = 0.2, valueClipRange: Double = 0.2
    /// Value loss weight (`vf_coef`).
    public var valueCoefficient: Double = 0.1
    /// Entropy bonus weight (0 = none).
    public var entropyCoefficient: Double = 0
    /// Whiten the per-token rewards keeping their mean (`whiten_rewards`).
    public var whitenRewards: Bool = false
    /// Global gradient-norm clip (`max_grad_norm`; nil = none).
    public var maxGradNorm: Double? = nil
    /// Skip a minibatch whose mean ratio exceeds this (`ratio_threshold`).
    public var ratioThreshold: Double = 10
    /// The sampling temperature: log-probs are of softmax(logits / T), as sampled.
    public var temperature: Float = 1

    /// TRL's defaults.
    public init() {}
}
