import Tensor

/// How to pick each new token.
public struct SamplingParameters: Sendable, Equatable {
    /// Logits are divided by this before anything else; ignored when `greedy`.
    public var temperature: Float = 1
    /// Keep only the k most likely tokens (0 = all).
    public var topK: Int = 0
    /// Keep the smallest set of tokens whose probability reaches p (1 = all).
    public var topP: Float = 1
    /// Drop tokens whose probability is below minP × the top probability (0 = none).
    public var minP: Float = 0
    /// Always take the most likely token.
    public var greedy: Bool = false
    /// Most tokens to generate per row.
    public var maxNewTokens: Int = 64
    /// A row finishes when it samples one of these (the token is kept in the output).
    public var stopTokens: Set<Int> = []
    /// Seeds the per-row random streams: the same seed gives the same samples.
    public var seed: UInt64 = 0

    /// Defaults: full distribution at temperature 1, 64 new tokens, no stop tokens, seed 0.
    public init(temperature: Float = 1, topK: Int = 0, topP: Float = 1, minP: Float = 0, greedy: Bool = false,
                maxNewTokens: Int = 64, stopTokens: Set<Int> = [], seed: UInt64 = 0) {
        self.temperature = temperature; self.topK = topK; self.topP = topP; self.minP = minP
        self.greedy = greedy; self.maxNewTokens = maxNewTokens; self.stopTokens = stopTokens; self.seed = seed
    }

    /// The per-token rule the backend's sampler applies.
    public var rule: SamplingRule {
        SamplingRule(temperature: temperature, topK: topK, topP: topP, minP: minP, greedy: greedy)
    }

    /// Checks ranges; returns a one-line problem or nil.
    public func problem() -> String? {
        if !greedy && !(temperature > 0) { return "temperature must be > 0 (use greedy decoding for 0), got \(temperature)" }
        if topK < 0 { return "top-k must be >= 0, got \(topK)" }
        if !(topP > 0 && topP <= 1) { return "top-p must be in (0, 1], got \(topP)" }
        if !(minP >= 0 && minP < 1) { return "min-p must be in [0, 1), got \(minP)" }
        if maxNewTokens < 1 { return "max new tokens must be >= 1, got \(maxNewTokens)" }
        return nil
    }
}

/// Why a row stopped.
public enum FinishReason: String, Sendable, Codable, Equatable {
    /// It produced a stop token.
    case stop
    /// It reached the new-token limit.
    case length
}

/// One generated row: new token ids, their log-probabilities under the distribution they were sampled
/// from (after temperature, and after top-k/top-p/min-p renormalisation when those are active), and why
/// it stopped.
public struct GeneratedSequence: Sendable, Equatable {
    /// New token ids (stop token included).
    public var tokens: [Int]
    /// log p of each new token.
    public var logprobs: [Float]
    /// Why generation ended.
    public var finishReason: FinishReason
}
