/// What an annotator said of a pair, in terms of the pair's own responses (never of the sides they were
/// shown on).
package enum Choice: String, Sendable, Codable, CaseIterable {
    /// Response A is better.
    case a
    /// Response B is better.
    case b
    /// Neither is better.
    case tie
    /// No judgement (the annotator passed): left out of votes and agreement.
    case skip
}

/// One annotator's standing judgement of one pair (the latest they made and did not undo).
package struct Judgement: Sendable, Equatable {
    package var pair: Int64
    package var annotator: String
    package var choice: Choice

    package init(pair: Int64, annotator: String, choice: Choice) {
        self.pair = pair
        self.annotator = annotator
        self.choice = choice
    }
}
