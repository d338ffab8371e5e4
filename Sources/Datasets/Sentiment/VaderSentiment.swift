import Foundation

/// VADER sentiment (Hutto & Gilbert, ICWSM 2014) as vaderSentiment 3.3.2 computes it: `scores(text)` equals
/// `SentimentIntensityAnalyzer().polarity_scores(text)` on the same lexicons.
///
/// The steps: each emoji (one code point) becomes its description; the text is split on whitespace into words
/// (`VaderToken`); each word gets its lexicon valence adjusted by the word-level rules (`VaderValence`); the
/// "but" rule rescales them; "!" and "?" add emphasis; and the sum is normalised (`VaderScores`).
public struct VaderSentiment: Sendable {
    /// The lexicons scored against.
    public let lexicon: VaderLexicon

    /// An analyzer over already loaded lexicons.
    public init(lexicon: VaderLexicon) { self.lexicon = lexicon }

    /// Loads `vader_lexicon.txt` and `emoji_utf8_lexicon.txt` from `lexiconDirectory` (`make models` puts them
    /// in `models/vader`).
    public init(lexiconDirectory: URL) throws { try self.init(lexicon: VaderLexicon(directory: lexiconDirectory)) }

    /// The scores of `text`, rounded as `polarity_scores` rounds them.
    public func scores(_ text: String) -> VaderScores {
        let prepared = PythonText.strip(replacingEmoji(text))
        let words = VaderToken.words(of: prepared)
        var valences = VaderValence(lexicon: lexicon, words: words).valences()
        VaderRules.applyBut(&valences, words: words)
        return VaderScores(valences: valences, emphasis: VaderRules.punctuationEmphasis(prepared))
    }

    /// `text` with each emoji replaced by its description, a space put before it unless the text so far ends
    /// in a space (none is put after it).
    func replacingEmoji(_ text: String) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.unicodeScalars.count)
        var afterSpace = true
        for c in text.unicodeScalars {
            if let description = lexicon.emojiDescriptions[c] {
                if !afterSpace { out.append(" ") }
                out += description
                afterSpace = false
            } else {
                out.append(c)
                afterSpace = c == " "
            }
        }
        return out
    }
}
