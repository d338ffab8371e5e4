/// How one token is drawn from a row of logits: temperature first, then top-k, min-p and top-p over
/// the tokens sorted by probability, renormalised. `greedy` takes the most likely token.
public struct SamplingRule: Sendable, Equatable {
    /// Logits are divided by this before anything else; ignored when `greedy`.
    public var temperature: Float
    /// Keep only the k most likely tokens (0 = all).
    public var topK: Int
    /// Keep the smallest set of tokens whose probability reaches p (1 = all).
    public var topP: Float
    /// Drop tokens whose probability is below minP × the top probability (0 = none).
    public var minP: Float
    /// Always take the most likely token.
    public var greedy: Bool

    /// Creates a rule (defaults: the full distribution at temperature 1).
    public init(temperature: Float = 1, topK: Int = 0, topP: Float = 1, minP: Float = 0, greedy: Bool = false) {
        self.temperature = temperature; self.topK = topK; self.topP = topP; self.minP = minP; self.greedy = greedy
    }

    /// Whether top-k, top-p or min-p narrow the distribution.
    public var filters: Bool { topK > 0 || topP < 1 || minP > 0 }
}

/// One sampled token and its log-probability under the distribution actually sampled from.
public struct SampledToken: Sendable, Equatable {
    /// The token id.
    public var token: Int
    /// log p(token) after temperature (and after top-k/top-p/min-p renormalisation when active).
    public var logprob: Float

    /// Creates a result.
    public init(token: Int, logprob: Float) { self.token = token; self.logprob = logprob }
}
