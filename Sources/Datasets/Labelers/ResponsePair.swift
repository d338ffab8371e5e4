/// Two responses sampled for one prompt, to be compared: A at the first sampling temperature, B at the
/// second. Each response is the continuation as it reads after the prompt, so `prompt + response` is the
/// text the model wrote.
public struct ResponsePair: Sendable, Equatable {
    /// The prompt as given (before any chat template).
    public var prompt: String
    /// The first response.
    public var a: String
    /// The second response.
    public var b: String

    /// Creates a pair.
    public init(prompt: String, a: String, b: String) {
        self.prompt = prompt
        self.a = a
        self.b = b
    }

    /// Whether both responses are the same text (nothing to learn from the pair).
    public var identical: Bool { a == b }
}

/// A labeler's verdict on one `ResponsePair`.
public struct PairJudgement: Sendable, Equatable {
    /// The score of response A (higher is better).
    public var scoreA: Double
    /// The score of response B.
    public var scoreB: Double
    /// Whether A is preferred.
    public var prefersA: Bool
    /// Whether the scores were equal and the preference was drawn by `PairTieBreak`.
    public var tie: Bool

    /// Creates a verdict.
    public init(scoreA: Double, scoreB: Double, prefersA: Bool, tie: Bool) {
        self.scoreA = scoreA
        self.scoreB = scoreB
        self.prefersA = prefersA
        self.tie = tie
    }

    /// The verdict on scores `a` and `b`: the higher wins; equal scores are a tie that `tieBreak` decides.
    public init(scoreA a: Double, scoreB b: Double, tieBreak: PairTieBreak, index: Int) {
        let tie = a == b
        self.init(scoreA: a, scoreB: b, prefersA: tie ? tieBreak.prefersA(index: index) : a > b, tie: tie)
    }
}
