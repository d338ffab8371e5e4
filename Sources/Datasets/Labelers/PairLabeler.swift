/// A simulated annotator that prefers one response of each `ResponsePair`, or none (`rlhf pairs --labeler`).
/// Each scores every response on its own; the higher score wins and equal scores are a seeded tie.
public enum PairLabeler {
    /// The notebook's length/relevance/coherence heuristic (`HeuristicPreference`) of prompt and response.
    case heuristic
    /// VADER's compound score of the response alone, in [-1, 1]: the more positive text wins.
    case vader(VaderSentiment)
    /// A reward model's score of each `prompt + response` text, as `rlhf reward train --format pairs` scores
    /// the two sides of a pair. `score` maps texts to rewards in order (the caller owns the model); `name`
    /// is what the output's `labeler` field says, e.g. `reward:DIR`.
    case reward(name: String, score: ([String]) throws -> [Double])
    /// No labeler: the pairs are left for a person to label.
    case none

    /// The `labeler` field of the output: `heuristic`, `vader`, the reward model's name, or `none`.
    public var name: String {
        switch self {
        case .heuristic: "heuristic"
        case .vader: "vader"
        case .reward(let name, _): name
        case .none: "none"
        }
    }

    /// The score of each of `responses` as an answer to the prompt in the same place of `prompts`, or nil
    /// for `.none`.
    public func scores(prompts: [String], responses: [String]) throws -> [Double]? {
        precondition(prompts.count == responses.count, "one prompt per response")
        switch self {
        case .heuristic:
            return zip(prompts, responses).map { Double(HeuristicPreference.score(prompt: $0, response: $1).total) }
        case .vader(let analyzer):
            return responses.map { analyzer.scores($0).compound }
        case .reward(let name, let score):
            let rewards = try score(zip(prompts, responses).map { $0 + $1 })
            guard rewards.count == responses.count else {
                throw PairLabelerError.wrongCount(labeler: name, scores: rewards.count, texts: responses.count)
            }
            if let bad = rewards.firstIndex(where: { !$0.isFinite }) { throw PairLabelerError.nonFinite(labeler: name, index: bad) }
            return rewards
        case .none:
            return nil
        }
    }

    /// The verdict on each of `pairs`, whose first sits at `firstIndex` of the whole run (the tie-break's
    /// position), or nil for `.none`.
    public func judge(_ pairs: [ResponsePair], firstIndex: Int = 0, tieBreak: PairTieBreak) throws -> [PairJudgement]? {
        let prompts = pairs.map(\.prompt)
        guard let a = try scores(prompts: prompts, responses: pairs.map(\.a)),
              let b = try scores(prompts: prompts, responses: pairs.map(\.b)) else { return nil }
        return pairs.indices.map { PairJudgement(scoreA: a[$0], scoreB: b[$0], tieBreak: tieBreak, index: firstIndex + $0) }
    }
}

/// Why a labeler gave no usable scores.
public struct PairLabelerError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, with its details: package-internal, so that cases can be added without breaking users.
    package enum Code: Equatable, Sendable {
        /// The scorer returned a different number of scores than texts.
        case wrongCount(labeler: String, scores: Int, texts: Int)
        /// The scorer returned NaN or an infinity for the text at `index` of a batch.
        case nonFinite(labeler: String, index: Int)
    }

    /// What went wrong.
    package let code: Code

    /// The error of `code`.
    package init(_ code: Code) { self.code = code }

    /// The scorer returned a different number of scores than texts.
    public static func wrongCount(labeler: String, scores: Int, texts: Int) -> PairLabelerError { PairLabelerError(.wrongCount(labeler: labeler, scores: scores, texts: texts)) }
    /// The scorer returned NaN or an infinity for the text at `index` of a batch.
    public static func nonFinite(labeler: String, index: Int) -> PairLabelerError { PairLabelerError(.nonFinite(labeler: labeler, index: index)) }

    /// A one-line description.
    public var description: String {
        switch code {
        case let .wrongCount(labeler, scores, texts): "labeler \(labeler) returned \(scores) scores for \(texts) texts"
        case let .nonFinite(labeler, index): "labeler \(labeler) gave a non-finite score (NaN or infinity) to text \(index + 1) of a batch"
        }
    }
}
