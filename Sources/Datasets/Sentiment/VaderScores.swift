/// VADER's scores of one text, rounded as `polarity_scores` rounds them: the proportions of the text that are
/// negative, neutral and positive (three places), and the normalised sum of all valences (four places).
public struct VaderScores: Equatable, Sendable, Codable {
    /// Proportion of negative sentiment, in [0, 1].
    public let neg: Double
    /// Proportion of words with no sentiment, in [0, 1].
    public let neu: Double
    /// Proportion of positive sentiment, in [0, 1].
    public let pos: Double
    /// The sum of all valences (with punctuation emphasis) normalised to [-1, 1]: the single sentiment score.
    public let compound: Double

    /// Scores as given (no rounding).
    public init(neg: Double, neu: Double, pos: Double, compound: Double) {
        self.neg = neg
        self.neu = neu
        self.pos = pos
        self.compound = compound
    }

    /// The scores of a text whose words have `valences` (after the "but" rule) and whose "!" and "?" add
    /// `emphasis`; a text without words scores all zeros.
    init(valences: [Double], emphasis: Double) {
        guard !valences.isEmpty else {
            self.init(neg: 0, neu: 0, pos: 0, compound: 0)
            return
        }
        var sum = valences.reduce(0, +)
        if sum > 0 { sum += emphasis } else if sum < 0 { sum -= emphasis }
        // each sentiment word counts one more than its valence, as a neutral word counts one
        var positive = 0.0, negative = 0.0, neutral = 0
        for v in valences {
            if v > 0 { positive += v + 1 }
            if v < 0 { negative += v - 1 }
            if v == 0 { neutral += 1 }
        }
        if positive > abs(negative) { positive += emphasis } else if positive < abs(negative) { negative -= emphasis }
        let total = positive + abs(negative) + Double(neutral)
        self.init(neg: PythonRounding.round(abs(negative / total), digits: 3),
                  neu: PythonRounding.round(abs(Double(neutral) / total), digits: 3),
                  pos: PythonRounding.round(abs(positive / total), digits: 3),
                  compound: PythonRounding.round(VaderRules.normalize(sum), digits: 4))
    }
}
