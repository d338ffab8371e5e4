/// The added tokens of a tokenizer, and how they cut a text before pre-tokenization: tokens with
/// `normalized: false` are found in the raw text, then the rest is normalized and searched for the
/// tokens with `normalized: true` (Hugging Face's `extract_and_normalize`).
struct TokenizerAddedVocabulary: Sendable {
    /// The added tokens.
    let tokens: [AddedToken]
    /// Whether special tokens written in the text are matched (false: transformers' `split_special_tokens`,
    /// where they are tokenized as plain text; non-special added tokens are still matched).
    let matchesSpecialTokens: Bool
    private let rawMatcher: AddedTokenMatcher
    private let normalizedMatcher: AddedTokenMatcher

    init(_ tokens: [AddedToken], matchesSpecialTokens: Bool = true) {
        self.tokens = tokens
        self.matchesSpecialTokens = matchesSpecialTokens
        let matched = matchesSpecialTokens ? tokens : tokens.filter { !$0.isSpecial }
        rawMatcher = AddedTokenMatcher(matched.filter { !$0.isNormalized })
        normalizedMatcher = AddedTokenMatcher(matched.filter { $0.isNormalized })
    }

    /// `text` as segments: added tokens, and normalized runs of text between them.
    func segments(of text: String, normalize: (String) -> String) -> [TokenizerTextSegment] {
        var result: [TokenizerTextSegment] = []
        for segment in rawMatcher.split(text) {
            guard case .text(let raw) = segment else {
                result.append(segment)
                continue
            }
            let normalized = normalize(raw)
            if normalizedMatcher.isEmpty {
                result.append(.text(normalized))
            } else {
                result.append(contentsOf: normalizedMatcher.split(normalized))
            }
        }
        return result
    }
}
