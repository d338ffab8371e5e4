/// A text tokenizer: text to token ids and back, byte for byte like the Hugging Face `tokenizers` library
/// (or like llama2.c for its own format).
public protocol Tokenizer: Sendable {
    /// Number of token ids, added tokens included: the embedding rows a model needs.
    var vocabSize: Int { get }
    /// Beginning-of-sequence id, where the files say.
    var bosTokenID: Int? { get }
    /// End-of-sequence id, where the files say.
    var eosTokenID: Int? { get }
    /// Padding id, where the files say.
    var padTokenID: Int? { get }
    /// Id used for text the vocabulary cannot spell, where there is one.
    var unknownTokenID: Int? { get }
    /// The ids put around a text when `addSpecialTokens` is true (the post-processor's single-sequence template).
    var defaultSpecialTokens: TokenizerSpecialTokens { get }

    /// Token ids for `text`, with `defaultSpecialTokens` around them when `addSpecialTokens` is true.
    func encode(_ text: String, addSpecialTokens: Bool) -> [Int]
    /// The text for `ids`; ids the tokenizer does not know are skipped, special tokens too when asked.
    func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String
    /// The id of a vocabulary entry spelled exactly `token`, if any.
    func id(for token: String) -> Int?
    /// The vocabulary entry for `id`, as the tokenizer spells it (byte-level alphabet, `##` prefix, ...).
    func token(for id: Int) -> String?
}

extension Tokenizer {
    /// Token ids for `text` with the default special tokens, as Hugging Face does by default.
    public func encode(_ text: String) -> [Int] { encode(text, addSpecialTokens: true) }

    /// The text for `ids`, special tokens included.
    public func decode(_ ids: [Int]) -> String { decode(ids, skipSpecialTokens: false) }
}

/// The special token ids a tokenizer puts before and after one encoded text (Hugging Face's post-processor).
public struct TokenizerSpecialTokens: Sendable, Equatable {
    /// Ids put before the text, e.g. `[CLS]` or `<|begin_of_text|>`.
    public var prefix: [Int]
    /// Ids put after the text, e.g. `[SEP]`.
    public var suffix: [Int]

    /// Wraps a text in `prefix` and `suffix`.
    public init(prefix: [Int] = [], suffix: [Int] = []) {
        self.prefix = prefix
        self.suffix = suffix
    }

    /// Nothing added.
    public static let none = TokenizerSpecialTokens()

    /// `ids` wrapped in the prefix and suffix.
    public func wrap(_ ids: [Int]) -> [Int] {
        if prefix.isEmpty && suffix.isEmpty { return ids }
        return prefix + ids + suffix
    }
}
