/// Generalised advantage estimation over a PPO batch, as TRL's `compute_advantages`:
///
///     δ_t = r_t + γ·V_{t+1} − V_t            (V past the last position is 0; masked V and r are 0)
///     A_t = δ_t + γ·λ·A_{t+1}
///     returns = A + V;  advantages = whiten(A) over the response tokens
///
/// With `whitenRewards` the rewards are first whitened keeping their mean. Masked entries of every
/// output are 0.
public struct GeneralizedAdvantage: Sendable, Equatable {
    /// A before whitening [B·T].
    public var rawAdvantages: [Float]
    /// A + V [B·T]: the value head's targets.
    public var returns: [Float]
    /// whiten(A) [B·T]: what the policy loss weighs.
    public var advantages: [Float]

    /// GAE for `rows` × `length` positions; every array [B·T].
    public init(values: [Float], rewards: [Float], mask: [Float], gamma: Double, lambda: Double, whitenRewards: Bool = false,
                rows: Int, length: Int) throws(PPOInputError) {
        let n = rows * length
        for (name, array) in [("values", values), ("rewards", rewards), ("mask", mask)] {
            try PPOInputError.check(array.count == n, name, expected: n, got: array.count)
        }
        let v = (0..<n).map { values[$0] * mask[$0] }
        var r = (0..<n).map { rewards[$0] * mask[$0] }
        if whitenRewards { r = MaskedStatistics.whiten(r, mask: mask, shiftMean: false) }
        var raw = [Float](repeating: 0, count: n)
        for b in 0..<rows {
            var running = 0.0
            for t in stride(from: length - 1, through: 0, by: -1) {
                let i = b * length + t
                let next = t + 1 < length ? Double(v[i + 1]) : 0
                let delta = Double(r[i]) + gamma * next - Double(v[i])
                running = delta + gamma * lambda * running
                raw[i] = Float(running)
            }
        }
        rawAdvantages = (0..<n).map { raw[$0] * mask[$0] }
        returns = (0..<n).map { (raw[$0] + v[$0]) * mask[$0] }
        let whitened = MaskedStatistics.whiten(raw, mask: mask)
        advantages = (0..<n).map { whitened[$0] * mask[$0] }
    }
}
