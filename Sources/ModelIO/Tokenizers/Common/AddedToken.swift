/// A token matched whole in the text before pre-tokenization (an entry of Hugging Face's `added_tokens`).
public struct AddedToken: Sendable, Hashable {
    /// The text matched.
    public var content: String
    /// Its id.
    public var id: Int
    /// `special`: left out by `decode(skipSpecialTokens: true)`.
    public var isSpecial: Bool
    /// `normalized`: matched in the normalized text rather than the raw text.
    public var isNormalized: Bool
    /// `lstrip`: whitespace before it is taken into the match.
    public var stripsLeft: Bool
    /// `rstrip`: whitespace after it is taken into the match.
    public var stripsRight: Bool
    /// `single_word`: matched only when not inside a word.
    public var isSingleWord: Bool

    /// An added token; the defaults are those of a special token such as `<|endoftext|>`.
    public init(content: String, id: Int, isSpecial: Bool = true, isNormalized: Bool = false,
                stripsLeft: Bool = false, stripsRight: Bool = false, isSingleWord: Bool = false) {
        self.content = content
        self.id = id
        self.isSpecial = isSpecial
        self.isNormalized = isNormalized
        self.stripsLeft = stripsLeft
        self.stripsRight = stripsRight
        self.isSingleWord = isSingleWord
    }
}
