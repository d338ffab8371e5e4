import Foundation

/// A learning-rate schedule with Hugging Face `transformers` semantics: a linear warmup from 0 to `peak`,
/// then constant, linear decay or half-cosine decay, optionally floored at `minimumRatio · peak`.
///
/// `step` counts optimizer steps already taken (0 for the first step), exactly like the `current_step`
/// that `LambdaLR` hands to `get_linear_schedule_with_warmup` / `get_cosine_schedule_with_warmup`;
/// so with warmup the very first step runs at lr 0, as in `transformers`.
public struct LearningRateSchedule: Sendable, Equatable, Codable {
    /// What happens after warmup.
    public enum Decay: String, Sendable, Equatable, Codable {
        /// Stay at `peak` (`get_constant_schedule_with_warmup`).
        case constant
        /// Straight line from `peak` at the end of warmup to 0 at `totalSteps` (`get_linear_schedule_with_warmup`).
        case linear
        /// Half a cosine from `peak` to 0 at `totalSteps` (`get_cosine_schedule_with_warmup`, num_cycles 0.5).
        case cosine
    }

    /// Learning rate at the end of warmup (the optimizer's base lr in PyTorch terms).
    public var peak: Double
    /// Shape after warmup.
    public var decay: Decay
    /// Steps of linear warmup from 0 to `peak` (0 = none).
    public var warmupSteps: Int
    /// Steps of the whole run; the decaying shapes reach their end value here (unused by `.constant`).
    public var totalSteps: Int
    /// After warmup the decaying shapes go from 1 down to this fraction of `peak` instead of 0
    /// (`factor · (1 − r) + r`, as `get_cosine_with_min_lr_schedule_with_warmup`); 0 gives the plain schedules.
    public var minimumRatio: Double

    /// Creates a schedule; `validate()` checks the values.
    public init(peak: Double, decay: Decay, warmupSteps: Int = 0, totalSteps: Int = 0, minimumRatio: Double = 0) {
        self.peak = peak; self.decay = decay; self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps; self.minimumRatio = minimumRatio
    }

    /// `peak` throughout, after an optional warmup.
    public static func constant(_ peak: Double, warmupSteps: Int = 0) -> LearningRateSchedule {
        LearningRateSchedule(peak: peak, decay: .constant, warmupSteps: warmupSteps)
    }

    /// Linear warmup, then linear decay to `minimumRatio · peak` at `totalSteps`.
    public static func linear(peak: Double, warmupSteps: Int, totalSteps: Int,
                              minimumRatio: Double = 0) -> LearningRateSchedule {
        LearningRateSchedule(peak: peak, decay: .linear, warmupSteps: warmupSteps, totalSteps: totalSteps,
                             minimumRatio: minimumRatio)
    }

    /// Linear warmup, then half-cosine decay to `minimumRatio · peak` at `totalSteps`.
    public static func cosine(peak: Double, warmupSteps: Int, totalSteps: Int,
                              minimumRatio: Double = 0) -> LearningRateSchedule {
        LearningRateSchedule(peak: peak, decay: .cosine, warmupSteps: warmupSteps, totalSteps: totalSteps,
                             minimumRatio: minimumRatio)
    }

    /// The learning rate for the optimizer step that follows `step` completed steps.
    public func lr(at step: Int) -> Double { peak * multiplier(at: step) }

    /// The fraction of `peak` at `step` (the `lr_lambda` of `transformers`).
    ///
    /// Past `totalSteps` the decaying shapes stay at their final value (`transformers`' cosine would rise
    /// again; a run that goes past its planned length should not warm back up).
    public func multiplier(at step: Int) -> Double {
        let step = max(step, 0)
        if step < warmupSteps { return Double(step) / Double(max(1, warmupSteps)) }
        if decay == .constant { return 1 }
        let progress = step >= totalSteps ? 1 : Double(step - warmupSteps) / Double(max(1, totalSteps - warmupSteps))
        let factor = decay == .linear ? max(0, 1 - progress) : max(0, 0.5 * (1 + cos(Double.pi * progress)))
        return factor * (1 - minimumRatio) + minimumRatio
    }

    /// Checks that the values describe a schedule.
    public func validate() throws(OptimizerError) {
        guard peak.isFinite, peak >= 0 else {
            throw .invalidHyperparameter(name: "learning rate", value: peak, requirement: "finite and >= 0")
        }
        guard warmupSteps >= 0 else {
            throw .invalidHyperparameter(name: "warmup steps", value: Double(warmupSteps), requirement: ">= 0")
        }
        guard minimumRatio >= 0, minimumRatio <= 1 else {
            throw .invalidHyperparameter(name: "minimum lr ratio", value: minimumRatio, requirement: "in [0, 1]")
        }
        if decay != .constant {
            guard totalSteps > 0, totalSteps >= warmupSteps else {
                throw .invalidHyperparameter(name: "total steps", value: Double(totalSteps),
                                             requirement: "> 0 and >= warmup steps (\(warmupSteps))")
            }
        }
    }
}
