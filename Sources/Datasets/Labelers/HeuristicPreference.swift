/// The simulated annotator of the RLHF notebook's `simulate_human_preference` (seed 000, section 3): a
/// response scores +1 when it has 20 to 100 words, +1 for each distinct prompt word it also uses, and −1
/// for each "."-separated sentence of fewer than 3 words. Words are Python's `str.split()` runs, compared
/// lower-cased (`str.lower()`) as code points, exactly as the notebook's sets compare them. Ties are broken
/// by `PairTieBreak`, seeded, where the notebook calls `random.randint`.
public enum HeuristicPreference {
    /// The word counts that earn the length point, both ends included.
    public static let preferredWords = 20...100
    /// Sentences with fewer words than this cost a point.
    public static let shortSentenceWords = 3

    /// The parts of one response's score.
    public struct Score: Sendable, Equatable {
        /// 1 when the word count is in `preferredWords`, else 0.
        public var length: Int
        /// Distinct lower-cased words shared with the prompt.
        public var overlap: Int
        /// Sentences (`response.split(".")`, empty pieces included) of fewer than `shortSentenceWords` words.
        public var shortSentences: Int

        /// `length + overlap − shortSentences`.
        public var total: Int { length + overlap - shortSentences }
    }

    /// The score of `response` as an answer to `prompt`.
    public static func score(prompt: String, response: String) -> Score {
        let text = Array(response.unicodeScalars)
        let length = preferredWords.contains(PythonText.split(text).count) ? 1 : 0
        let overlap = keywords(prompt).intersection(keywords(response)).count
        // Python's split(".") keeps empty pieces: "Hi." is ["Hi", ""], and the empty one counts as short
        let sentences = text.split(separator: ".", omittingEmptySubsequences: false)
        let short = sentences.count(where: { PythonText.split(Array($0)).count < shortSentenceWords })
        return Score(length: length, overlap: overlap, shortSentences: short)
    }

    /// `set(text.lower().split())`, each word as its code points.
    static func keywords(_ text: String) -> Set<[UInt32]> {
        let lowered = PythonText.lower(ArraySlice(text.unicodeScalars))
        return Set(PythonText.split(lowered).map { $0.map(\.value) })
    }
}
