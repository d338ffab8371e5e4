import Datasets
import ModelIO

/// A sequence reward: one score per (prompt, response) row, both in the policy's token ids.
public protocol RewardFunction: Sendable {
    /// The score of each row.
    func scores(queries: [[Int]], responses: [[Int]]) throws -> [Float]

    /// A copy another reward scorer can run at the same time as this one (a model's scratch memory
    /// belongs to one caller at a time).
    func replica() -> any RewardFunction
}

/// VADER's compound sentiment of the response text (the policy's tokenizer decodes it).
public struct VaderReward: RewardFunction {
    /// The analyser.
    public let vader: VaderSentiment
    /// The policy's tokenizer.
    public let tokenizer: any Tokenizer

    /// A reward from `vader` over `tokenizer`'s text.
    public init(vader: VaderSentiment, tokenizer: any Tokenizer) { self.vader = vader; self.tokenizer = tokenizer }

    /// The score of each row.
    public func scores(queries: [[Int]], responses: [[Int]]) throws -> [Float] {
        responses.map { Float(vader.scores(RewardText.of($0, tokenizer: tokenizer)).compound) }
    }

    /// A copy another reward scorer can run at the same time as this one (a model's scratch memory
    /// belongs to one caller at a time).
    public func replica() -> any RewardFunction { self }
}
