/// Hyper-parameters of `AdamW`, with `torch.optim.AdamW`'s defaults.
///
/// Scalars are `Double` like PyTorch's Python floats: per-step factors (bias corrections, step size) are
/// computed in Double and rounded to Float once, as PyTorch does before its fp32 kernels.
public struct AdamWConfig: Sendable, Equatable, Codable {
    /// Learning rate per step (`.constant(lr)` for a fixed one).
    public var schedule: LearningRateSchedule
    /// Decay rate β1 of the first moment (mean of gradients).
    public var beta1: Double
    /// Decay rate β2 of the second moment (mean of squared gradients).
    public var beta2: Double
    /// Added to √v̂ in the denominator.
    public var epsilon: Double
    /// Decoupled weight decay λ: each step multiplies decayed parameters by 1 − lr·λ.
    public var weightDecay: Double
    /// Whether `.embedding` tensors are decayed (`.matrix` always is, `.vector` never is).
    public var decayEmbeddings: Bool

    /// Creates a config; the defaults are PyTorch's (lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0.01).
    public init(schedule: LearningRateSchedule = .constant(1e-3), beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-8, weightDecay: Double = 0.01, decayEmbeddings: Bool = false) {
        self.schedule = schedule; self.beta1 = beta1; self.beta2 = beta2
        self.epsilon = epsilon; self.weightDecay = weightDecay; self.decayEmbeddings = decayEmbeddings
    }

    /// Checks every value against the ranges PyTorch accepts (and the schedule).
    public func validate() throws(OptimizerError) {
        try schedule.validate()
        guard beta1 >= 0, beta1 < 1 else {
            throw .invalidHyperparameter(name: "beta1", value: beta1, requirement: "in [0, 1)")
        }
        guard beta2 >= 0, beta2 < 1 else {
            throw .invalidHyperparameter(name: "beta2", value: beta2, requirement: "in [0, 1)")
        }
        guard epsilon.isFinite, epsilon >= 0 else {
            throw .invalidHyperparameter(name: "epsilon", value: epsilon, requirement: "finite and >= 0")
        }
        guard weightDecay.isFinite, weightDecay >= 0 else {
            throw .invalidHyperparameter(name: "weight decay", value: weightDecay, requirement: "finite and >= 0")
        }
    }
}
