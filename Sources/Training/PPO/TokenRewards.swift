/// Per-token rewards of a PPO batch: the KL penalty −β·(logp − logp_ref) at every response token (the
/// k1 estimator), with the sequence's score added at its last response token (TRL's `compute_rewards`).
public struct TokenRewards: Sendable, Equatable {
    /// rewards [B·T]: penalty plus, at each row's last response token, its score (0 where masked).
    public var rewards: [Float]
    /// The penalty alone, −β·kl [B·T].
    public var penalties: [Float]
    /// logp − logp_ref at each response token [B·T] (0 where masked).
    public var kl: [Float]

    /// Rewards for `rows` × `length` response positions; `scores` [B], the others [B·T].
    public init(scores: [Float], logProbs: [Float], referenceLogProbs: [Float], mask: [Float], klCoefficient beta: Double,
                rows: Int, length: Int) throws(PPOInputError) {
        let n = rows * length
        try PPOInputError.check(scores.count == rows, "scores", expected: rows, got: scores.count)
        for (name, array) in [("logProbs", logProbs), ("referenceLogProbs", referenceLogProbs), ("mask", mask)] {
            try PPOInputError.check(array.count == n, name, expected: n, got: array.count)
        }
        kl = (0..<n).map { mask[$0] != 0 ? logProbs[$0] - referenceLogProbs[$0] : 0 }
        penalties = kl.map { Float(-beta * Double($0)) }
        rewards = penalties
        for b in 0..<rows {
            guard let last = (0..<length).last(where: { mask[b * length + $0] != 0 }) else { continue }
            rewards[b * length + last] += scores[b]
        }
    }

    /// Σ_t kl over each row's response tokens [B]: the sequence KL that the KL controller and
    /// `objective/kl` read.
    public func sequenceKL(rows: Int, length: Int) -> [Double] {
        (0..<rows).map { b in (0..<length).reduce(0.0) { $0 + Double(kl[b * length + $1]) } }
    }
}
