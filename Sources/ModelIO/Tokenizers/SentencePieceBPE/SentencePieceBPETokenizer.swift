/// A SentencePiece-style BPE tokenizer.json (Llama-2 family, and what `TokenizerJSONWriter` writes for
/// llama2.c's tokenizer.bin): no pre-tokenizer, so each run of text between added tokens is normalized
/// (e.g. `▁` prepended and put for spaces) and merged as one word; its Unicode scalars are the starting
/// symbols, a scalar missing from the vocabulary becomes its `<0xXX>` byte tokens (`byte_fallback`) or
/// the unknown token. Encodes and decodes as Hugging Face `tokenizers` does with the same file.
public struct SentencePieceBPETokenizer: Tokenizer {
    /// Token ids, merges, and the ids unknown scalars become.
    private let vocabulary: BPEVocabulary
    private let normalizer: SentencePieceNormalizer
    private let decoder: SentencePieceDecoder
    private let options: BPEModelOptions

    /// Number of token ids, added tokens included: the embedding rows a model needs.
    public var vocabSize: Int { vocabulary.tokens.count }
    /// Beginning-of-sequence id, where the files say.
    public let bosTokenID: Int?
    /// End-of-sequence id, where the files say.
    public let eosTokenID: Int?
    /// Padding id, where the files say.
    public let padTokenID: Int?
    /// Id used for text the vocabulary cannot spell, where there is one.
    public let unknownTokenID: Int?
    /// The ids put around a text when `addSpecialTokens` is true (the post-processor's single-sequence template).
    public let defaultSpecialTokens: TokenizerSpecialTokens
    /// The added tokens (matched whole in text before normalization).
    public var addedTokens: [AddedToken] { vocabulary.tokens.added.tokens }

    /// The designated initializer, from a checked vocabulary; `options.unknownToken` is the one `vocabulary`
    /// was checked with. A nil `unknownTokenID` is the model's unknown token, where it has one.
    init(vocabulary: BPEVocabulary, normalizer: SentencePieceNormalizer, decoder: SentencePieceDecoder,
         options: BPEModelOptions, specialTokens: TokenizerSpecialTokens,
         bosTokenID: Int?, eosTokenID: Int?, padTokenID: Int?, unknownTokenID: Int?) {
        self.vocabulary = vocabulary
        self.normalizer = normalizer
        self.decoder = decoder
        self.options = options
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
        self.padTokenID = padTokenID
        self.unknownTokenID = unknownTokenID ?? vocabulary.unknownModelID.map(Int.init)
        self.defaultSpecialTokens = specialTokens
    }

    /// Token ids for `text`, with `defaultSpecialTokens` around them when `addSpecialTokens` is true.
    public func encode(_ text: String, addSpecialTokens: Bool) -> [Int] {
        var ids: [Int] = []
        for segment in vocabulary.tokens.added.segments(of: text, normalize: normalizer.normalize) {
            switch segment {
            case .token(let id): ids.append(id)
            case .text(let word): for id in encodeWord(word) { ids.append(Int(id)) }
            }
        }
        return addSpecialTokens ? defaultSpecialTokens.wrap(ids) : ids
    }

    /// The ids of one normalized run of text (Hugging Face's `BPE::merge_word`, then `Word::merge_all`).
    private func encodeWord(_ word: String) -> [Int32] {
        if word.isEmpty { return [] }
        if options.ignoresMerges, let id = vocabulary.tokens.modelIDs[Array(word.utf8)] { return [id] }
        var symbols = BPEWordSymbols(capacity: word.utf8.count, unknownID: vocabulary.unknownModelID, fusesUnknown: options.fusesUnknown)
        for scalar in word.unicodeScalars {
            let utf8 = Array(String(scalar).utf8)
            if let id = vocabulary.tokens.modelIDs[utf8] {
                symbols.append(id)
                continue
            }
            if options.usesByteFallback, symbols.appendByteTokens(of: utf8, from: vocabulary.byteFallbackIDs) { continue }
            symbols.appendUnknown()
        }
        return BPEWordMerger.merge(symbols.finish(), with: vocabulary.merges)
    }

    /// The text for `ids`; ids the tokenizer does not know are skipped, special tokens too when asked.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        decoder.decode(vocabulary.tokens.spellingsToDecode(ids, skipSpecialTokens: skipSpecialTokens))
    }

    /// `<0xXX>` with upper-case hex digits, as SentencePiece names byte tokens and `byte_fallback` looks
    /// them up.
    static func byteTokenName(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return "<0x" + (hex.count == 1 ? "0" + hex : hex) + ">"
    }

    /// The id of a vocabulary entry spelled exactly `token`, if any.
    public func id(for token: String) -> Int? { vocabulary.tokens.id(for: token) }

    /// The vocabulary entry for `id`, as the tokenizer spells it (byte-level alphabet, `##` prefix, ...).
    public func token(for id: Int) -> String? { vocabulary.tokens.token(for: id) }
}
