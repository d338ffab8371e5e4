/// A byte-level BPE tokenizer (GPT-2, SmolLM2, Llama-3, Qwen2): text cut by the pre-tokenizer, each
/// piece's UTF-8 bytes spelled in the byte-level alphabet, then merged by rank. Built from GPT-2's
/// `vocab.json` + `merges.txt`, a Hugging Face `tokenizer.json`, or GGUF metadata.
public struct ByteLevelBPETokenizer: Tokenizer {
    /// What turns ids back into text (`decoder` in tokenizer.json).
    enum Decoder: Sendable {
        /// `ByteLevel`: token spellings to bytes, then UTF-8 (invalid sequences become U+FFFD).
        case byteLevel
        /// No decoder: spellings joined by spaces.
        case none
    }

    /// Token ids, merges, and the ids unknown scalars become.
    let vocabulary: BPEVocabulary
    /// Bytes each id decodes to.
    private let decodedBytes: [[UInt8]]
    /// Id of the one-scalar token spelling each byte, -1 where the vocabulary lacks it.
    private let byteTokenIDs: [Int32]
    let preTokenizer: ByteLevelPreTokenizer
    let normalizer: TokenizerNormalizer
    let decoder: Decoder
    let options: BPEModelOptions
    private let cache = BPEWordCache()

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
    /// The added tokens (matched whole in text before pre-tokenization).
    public var addedTokens: [AddedToken] { vocabulary.tokens.added.tokens }

    /// A tokenizer from in-memory parts: `tokens[i]` is the spelling of id `i` in the byte-level
    /// alphabet, `merges` are pairs of spellings in rank order. `source` names where they came from in errors.
    package init(tokens: [String], merges: [(String, String)], addedTokens: [AddedToken] = [],
                preTokenizer: ByteLevelPreTokenizer = .gpt2, specialTokens: TokenizerSpecialTokens = .none,
                bosTokenID: Int? = nil, eosTokenID: Int? = nil, padTokenID: Int? = nil, unknownTokenID: Int? = nil,
                source: String = "in-memory vocabulary") throws {
        let vocabulary = try BPEVocabulary(vocabulary: tokens.enumerated().map { ($0.element, $0.offset) }, merges: merges,
                                           addedTokens: addedTokens, unknownToken: nil, source: source)
        self.init(vocabulary: vocabulary, preTokenizer: preTokenizer, normalizer: .none, decoder: .byteLevel,
                  options: BPEModelOptions(), specialTokens: specialTokens, bosTokenID: bosTokenID, eosTokenID: eosTokenID,
                  padTokenID: padTokenID, unknownTokenID: unknownTokenID)
    }

    /// The designated initializer, from a checked vocabulary; `options.unknownToken` is the one `vocabulary`
    /// was checked with. A nil `unknownTokenID` is the model's unknown token, where it has one.
    init(vocabulary: BPEVocabulary, preTokenizer: ByteLevelPreTokenizer, normalizer: TokenizerNormalizer,
         decoder: Decoder, options: BPEModelOptions, specialTokens: TokenizerSpecialTokens,
         bosTokenID: Int?, eosTokenID: Int?, padTokenID: Int?, unknownTokenID: Int?) {
        let modelIDs = vocabulary.tokens.modelIDs
        self.vocabulary = vocabulary
        self.decodedBytes = vocabulary.tokens.spellings.map { ByteLevelAlphabet.bytes(ofToken: $0) }
        self.byteTokenIDs = ByteLevelAlphabet.scalarForByte.map { modelIDs[Array(String($0).utf8)] ?? -1 }
        self.preTokenizer = preTokenizer
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
        ids.reserveCapacity(text.utf8.count / 3 + 4)
        for segment in vocabulary.tokens.added.segments(of: text, normalize: normalizer.normalize) {
            switch segment {
            case .token(let id): ids.append(id)
            case .text(let text): encodePlainText(text, into: &ids)
            }
        }
        return addSpecialTokens ? defaultSpecialTokens.wrap(ids) : ids
    }

    /// Pre-tokenizes `text` (no added tokens in it) and appends the ids of its pieces.
    private func encodePlainText(_ text: String, into ids: inout [Int]) {
        let scalars = PreTokenizerText(preTokenizer.prepared(text))
        for piece in preTokenizer.split(scalars) {
            let bytes = scalars.bytes(piece)
            if let cached = cache.ids(for: bytes) {
                for id in cached { ids.append(Int(id)) }
                continue
            }
            let word = encodeWord(bytes)
            cache.store(word, for: bytes)
            for id in word { ids.append(Int(id)) }
        }
    }

    /// The ids of one pre-tokenized piece, given as raw UTF-8 bytes.
    private func encodeWord(_ bytes: ArraySlice<UInt8>) -> [Int32] {
        if options.ignoresMerges, let id = vocabulary.tokens.modelIDs[Array(ByteLevelAlphabet.spell(bytes).utf8)] { return [id] }
        var symbols = BPEWordSymbols(capacity: bytes.count, unknownID: vocabulary.unknownModelID, fusesUnknown: options.fusesUnknown)
        for byte in bytes {
            let id = byteTokenIDs[Int(byte)]
            if id >= 0 {
                symbols.append(id)
                continue
            }
            // `byte_fallback` spells the UTF-8 bytes of the scalar standing for `byte`.
            if options.usesByteFallback, symbols.appendByteTokens(of: String(ByteLevelAlphabet.scalarForByte[Int(byte)]).utf8,
                                                                  from: vocabulary.byteFallbackIDs) { continue }
            symbols.appendUnknown()
        }
        return BPEWordMerger.merge(symbols.finish(), with: vocabulary.merges)
    }

    /// The text for `ids`; ids the tokenizer does not know are skipped, special tokens too when asked.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        switch decoder {
        case .none:
            return vocabulary.tokens.spellingsToDecode(ids, skipSpecialTokens: skipSpecialTokens).joined(separator: " ")
        case .byteLevel:
            var bytes: [UInt8] = []
            bytes.reserveCapacity(ids.count * 4)
            for id in ids where vocabulary.tokens.isDecoded(id, skipSpecialTokens: skipSpecialTokens) {
                bytes.append(contentsOf: decodedBytes[id])
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// The id of a vocabulary entry spelled exactly `token`, if any.
    public func id(for token: String) -> Int? { vocabulary.tokens.id(for: token) }

    /// The vocabulary entry for `id`, as the tokenizer spells it (byte-level alphabet, `##` prefix, ...).
    public func token(for id: Int) -> String? { vocabulary.tokens.token(for: id) }
}
