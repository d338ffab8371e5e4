/// The constants and word lists of vaderSentiment 3.3.2 and its rules that need no lexicon.
enum VaderRules {
    /// How much a booster word raises (or a dampener lowers) the next sentiment word's intensity.
    static let boosterIncrement = 0.293
    /// The dampeners' step.
    static let boosterDecrement = -0.293
    /// The intensity an ALL-CAPS word gains in a text that is not all caps.
    static let capsIncrement = 0.733
    /// The factor a negation applies.
    static let negationScalar = -0.74

    /// Words that negate what follows (besides any word containing "n't").
    static let negations: Set<CodePoints> = [
        "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt",
        "ain't", "aren't", "can't", "couldn't", "daren't", "didn't", "doesn't",
        "dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither",
        "don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't",
        "neednt", "needn't", "never", "none", "nope", "nor", "not", "nothing", "nowhere",
        "oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent",
        "oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't",
        "without", "wont", "wouldnt", "won't", "wouldn't", "rarely", "seldom", "despite",
    ]

    /// Degree adverbs: boosters add `boosterIncrement`, dampeners `boosterDecrement` (the two-word ones only
    /// through the special-idiom check's phrases, since words are single tokens).
    static let boosters: [CodePoints: Double] = {
        let up: [CodePoints] = [
            "absolutely", "amazingly", "awfully", "completely", "considerable", "considerably", "decidedly", "deeply",
            "effing", "enormous", "enormously", "entirely", "especially", "exceptional", "exceptionally", "extreme",
            "extremely", "fabulously", "flipping", "flippin", "frackin", "fracking", "fricking", "frickin", "frigging",
            "friggin", "fully", "fuckin", "fucking", "fuggin", "fugging", "greatly", "hella", "highly", "hugely",
            "incredible", "incredibly", "intensely", "major", "majorly", "more", "most", "particularly", "purely",
            "quite", "really", "remarkably", "so", "substantially", "thoroughly", "total", "totally", "tremendous",
            "tremendously", "uber", "unbelievably", "unusually", "utter", "utterly", "very",
        ]
        let down: [CodePoints] = [
            "almost", "barely", "hardly", "just enough", "kind of", "kinda", "kindof", "kind-of", "less", "little",
            "marginal", "marginally", "occasional", "occasionally", "partly", "scarce", "scarcely", "slight",
            "slightly", "somewhat", "sort of", "sorta", "sortof", "sort-of",
        ]
        return Dictionary(uniqueKeysWithValues: up.map { ($0, boosterIncrement) } + down.map { ($0, boosterDecrement) })
    }()

    /// Phrases containing lexicon words whose valence replaces the word's (3.3.2 checks them only for a word with
    /// three words before it, the third of which is not in the lexicon). 3.3.2 also lists sentiment-laden idioms
    /// without lexicon words ("cut the mustard", ...) but never applies them, so they are not here.
    static let specialCases: [CodePoints: Double] = [
        "the shit": 3, "the bomb": 3, "bad ass": 1.5, "badass": 1.5, "bus stop": 0.0,
        "yeah right": -2, "kiss of death": -1.5, "to die for": 3, "beating heart": 3.5,
    ]

    /// vaderSentiment's `negated([word])`: a negation word, or any word containing "n't".
    static func isNegation(_ lowerWord: CodePoints) -> Bool {
        negations.contains(lowerWord) || lowerWord.contains("n't")
    }

    /// The intensity a booster or dampener `word` adds to a sentiment word of `valence` (0 for other words):
    /// signed like the valence, and `capsIncrement` more when the booster is ALL CAPS in a mixed-case text.
    static func boost(by word: VaderToken, valence: Double, capsDiffer: Bool) -> Double {
        guard var scalar = boosters[word.lower] else { return 0 }
        if valence < 0 { scalar *= -1 }
        if word.isUpper && capsDiffer { scalar += valence > 0 ? capsIncrement : -capsIncrement }
        return scalar
    }

    /// The extra intensity of a text's "!" (0.292 each, at most four) and "?" (0.18 each for two or three,
    /// 0.96 for more; none for one).
    static func punctuationEmphasis(_ text: ArraySlice<Unicode.Scalar>) -> Double {
        let exclamations = min(text.count(where: { $0 == "!" }), 4)
        let questions = text.count(where: { $0 == "?" })
        let questionEmphasis = questions > 1 ? (questions <= 3 ? Double(questions) * 0.18 : 0.96) : 0
        return Double(exclamations) * 0.292 + questionEmphasis
    }

    /// The contrastive "but": valences before the text's first "but" halve, those after grow by half.
    ///
    /// 3.3.2 finds each valence's position with `list.index(value)`, the first position holding an equal value,
    /// as the list changes under it; this replays that, so a value equal to an earlier (already scaled) one
    /// scales the earlier position instead of its own.
    static func applyBut(_ valences: inout [Double], words: [VaderToken]) {
        guard let but = words.firstIndex(where: { $0.lower == "but" }) else { return }
        for k in valences.indices {
            let value = valences[k]
            let position = valences.firstIndex(of: value)!
            if position < but {
                valences[position] = value * 0.5
            } else if position > but {
                valences[position] = value * 1.5
            }
        }
    }

    /// Python's `score / sqrt(score * score + alpha)` with alpha 15, kept within [-1, 1].
    static func normalize(_ score: Double) -> Double {
        let normalized = score / (score * score + 15).squareRoot()
        return min(max(normalized, -1), 1)
    }
}
