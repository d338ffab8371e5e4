/// A training step whose loss or gradient norm came out NaN or infinite: the step was not taken (the
/// weights and optimizer moments are as they were before it), so nothing non-finite is ever written.
public struct NonFiniteStepError: Error, Equatable, CustomStringConvertible {
    /// The trainer ("DPO", "SFT", "PPO").
    public let trainer: String
    /// What was not finite ("loss", "gradient norm") and its value.
    public let what: String, value: Double

    /// The error of `trainer`, whose `what` came out as `value`.
    public init(trainer: String, what: String, value: Double) {
        self.trainer = trainer
        self.what = what
        self.value = value
    }

    /// The message: one line that says what is wrong and where.
    public var description: String {
        "the \(trainer) \(what) is \(value), not a finite number: the run diverged (lower the learning rate) or the model's numbers overflow; the step was not taken and nothing was written"
    }

    /// Throws unless `loss` and `gradientNorm` are finite.
    static func check(trainer: String, loss: Double, gradientNorm: Double) throws(NonFiniteStepError) {
        guard loss.isFinite else { throw NonFiniteStepError(trainer: trainer, what: "loss", value: loss) }
        guard gradientNorm.isFinite else { throw NonFiniteStepError(trainer: trainer, what: "gradient norm", value: gradientNorm) }
    }
}
