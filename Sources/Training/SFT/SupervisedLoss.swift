/// A cross-entropy summed over response tokens, with their count: losses of several batches add up
/// (`+`) and the mean is then the token-weighted mean over all of them.
package struct SupervisedLoss: Sendable, Equatable {
    /// Σ −log p(target) over the response tokens, in nats.
    package var sum: Double
    /// The number of response tokens summed.
    package var tokens: Int

    /// A loss of `sum` over `tokens` tokens.
    package init(sum: Double = 0, tokens: Int = 0) {
        self.sum = sum
        self.tokens = tokens
    }

    /// The mean loss per response token (NaN over no token).
    package var mean: Double { tokens > 0 ? sum / Double(tokens) : .nan }

    /// Both sums and both counts added.
    package static func + (a: SupervisedLoss, b: SupervisedLoss) -> SupervisedLoss {
        SupervisedLoss(sum: a.sum + b.sum, tokens: a.tokens + b.tokens)
    }
}
