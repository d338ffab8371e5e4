/// The KL coefficient β of the per-token penalty: fixed, or adapted toward a target KL as in
/// Ziegler et al. and TRL's `AdaptiveKLController`:
///
///     β ← β · (1 + clip(KL / target − 1, −0.2, 0.2) · n / horizon)
///
/// where KL is the batch's mean sequence KL and n the number of sequences in it. Its state (β) goes in
/// checkpoints.
public struct KLController: Sendable, Equatable, Codable {
    /// How β changes.
    public enum Mode: Sendable, Equatable, Codable {
        /// β stays at its initial value.
        case fixed
        /// β follows `target` over `horizon` sequences.
        case adaptive(target: Double, horizon: Double)
    }

    /// The current coefficient.
    public private(set) var coefficient: Double
    /// Fixed or adaptive.
    public let mode: Mode

    /// A controller starting at `initial` (TRL's `init_kl_coef`).
    public init(initial: Double, mode: Mode) {
        coefficient = initial
        self.mode = mode
    }

    /// Updates β after a batch of `sequences` sequences whose mean sequence KL was `kl`.
    public mutating func update(kl: Double, sequences: Int) {
        guard case let .adaptive(target, horizon) = mode, target > 0, horizon > 0 else { return }
        let error = min(max(kl / target - 1, -0.2), 0.2)
        coefficient *= 1 + error * Double(sequences) / horizon
    }
}
