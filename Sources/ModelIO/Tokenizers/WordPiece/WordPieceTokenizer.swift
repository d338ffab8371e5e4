/// A WordPiece tokenizer (BERT): BertNormalizer, BertPreTokenizer, then greedy longest-match-first
/// pieces with the `##` prefix after a word's first piece; a word it cannot spell, or one longer than
/// `max_input_chars_per_word`, becomes the unknown token. Built from tokenizer.json or vocab.txt.
public struct WordPieceTokenizer: Tokenizer {
    /// The decoder (`decoder` in tokenizer.json).
    enum Decoder: Sendable {
        /// `WordPiece`: pieces starting with `prefix` glue to the one before, others get a space;
        /// with `cleanup`, spaces before punctuation and contractions go.
        case wordPiece(prefix: String, cleanup: Bool)
        /// No decoder: tokens joined by spaces.
        case none
    }

    /// Ids by spelling, spellings by id, and the added tokens.
    private let vocabulary: TokenizerVocabulary
    private let continuingPrefix: [UInt8]
    private let maxCharactersPerWord: Int
    /// Longest vocabulary entry in bytes: no longer candidate is tried.
    private let longestTokenBytes: Int
    private let unknownModelID: Int32
    private let normalizer: TokenizerNormalizer
    private let decoder: Decoder

    /// Number of token ids, added tokens included: the embedding rows a model needs.
    public var vocabSize: Int { vocabulary.count }
    /// Beginning-of-sequence id, where the files say.
    public let bosTokenID: Int?
    /// End-of-sequence id, where the files say.
    public let eosTokenID: Int?
    /// Padding id, where the files say.
    public let padTokenID: Int?
    /// Id used for text the vocabulary cannot spell, where there is one.
    public var unknownTokenID: Int? { Int(unknownModelID) }
    /// The ids put around a text when `addSpecialTokens` is true (the post-processor's single-sequence template).
    public let defaultSpecialTokens: TokenizerSpecialTokens
    /// The added tokens (matched whole in text before normalization).
    public var addedTokens: [AddedToken] { vocabulary.added.tokens }

    /// A tokenizer from in-memory parts: `tokens[i]` spells id `i`; `unknownToken` must be among them.
    package init(tokens: [String], unknownToken: String = "[UNK]", continuingSubwordPrefix: String = "##",
                maxInputCharactersPerWord: Int = 100, normalizer: BertNormalizer? = BertNormalizer(),
                addedTokens: [AddedToken] = [], specialTokens: TokenizerSpecialTokens = .none,
                padTokenID: Int? = nil, source: String = "in-memory vocabulary") throws {
        try self.init(vocabulary: tokens.enumerated().map { ($0.element, $0.offset) }, unknownToken: unknownToken,
                      continuingSubwordPrefix: continuingSubwordPrefix, maxInputCharactersPerWord: maxInputCharactersPerWord,
                      normalizer: normalizer.map { .bert($0) } ?? .none, addedTokens: addedTokens,
                      decoder: .wordPiece(prefix: continuingSubwordPrefix, cleanup: true), specialTokens: specialTokens,
                      bosTokenID: nil, eosTokenID: nil, padTokenID: padTokenID, source: source)
    }

    /// The designated initializer: vocabulary as (spelling, id) pairs.
    init(vocabulary: [(String, Int)], unknownToken: String, continuingSubwordPrefix: String, maxInputCharactersPerWord: Int,
         normalizer: TokenizerNormalizer, addedTokens: [AddedToken], decoder: Decoder, specialTokens: TokenizerSpecialTokens,
         bosTokenID: Int?, eosTokenID: Int?, padTokenID: Int?, source: String) throws {
        let tokens = try TokenizerVocabulary(vocabulary: vocabulary, addedTokens: addedTokens, source: source)
        guard let unknownID = tokens.modelIDs[Array(unknownToken.utf8)] else {
            throw TokenizerError.malformed(file: source, reason: "unknown token \(unknownToken.debugDescription) is missing from the vocabulary")
        }
        self.vocabulary = tokens
        self.continuingPrefix = Array(continuingSubwordPrefix.utf8)
        self.maxCharactersPerWord = maxInputCharactersPerWord
        self.longestTokenBytes = tokens.modelIDs.keys.reduce(0) { max($0, $1.count) }
        self.unknownModelID = unknownID
        self.normalizer = normalizer
        self.decoder = decoder
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
        self.padTokenID = padTokenID
        self.defaultSpecialTokens = specialTokens
    }

    /// Token ids for `text`, with `defaultSpecialTokens` around them when `addSpecialTokens` is true.
    public func encode(_ text: String, addSpecialTokens: Bool) -> [Int] {
        var ids: [Int] = []
        for segment in vocabulary.added.segments(of: text, normalize: normalizer.normalize) {
            switch segment {
            case .token(let id):
                ids.append(id)
            case .text(let text):
                for word in BertPreTokenizer.words(text) { appendPieces(of: word, to: &ids) }
            }
        }
        return addSpecialTokens ? defaultSpecialTokens.wrap(ids) : ids
    }

    /// Appends the pieces of one word (UTF-8), or the unknown id.
    private func appendPieces(of word: [UInt8], to ids: inout [Int]) {
        // Scalar boundaries: candidates end only there.
        guard !word.isEmpty else { return }
        var boundaries: [Int] = [0]
        for i in 1..<max(word.count, 1) where word[i] & 0xC0 != 0x80 { boundaries.append(i) }
        boundaries.append(word.count)
        guard boundaries.count - 1 <= maxCharactersPerWord else {
            ids.append(Int(unknownModelID))
            return
        }
        var pieces: [Int] = []
        var startIndex = 0
        var key: [UInt8] = []
        while startIndex < boundaries.count - 1 {
            let start = boundaries[startIndex]
            var found: (id: Int32, endIndex: Int)?
            var endIndex = boundaries.count - 1
            while endIndex > startIndex {
                let end = boundaries[endIndex]
                let length = end - start + (startIndex > 0 ? continuingPrefix.count : 0)
                if length <= longestTokenBytes {
                    key.removeAll(keepingCapacity: true)
                    if startIndex > 0 { key.append(contentsOf: continuingPrefix) }
                    key.append(contentsOf: word[start..<end])
                    if let id = vocabulary.modelIDs[key] {
                        found = (id, endIndex)
                        break
                    }
                }
                endIndex -= 1
            }
            guard let piece = found else {
                ids.append(Int(unknownModelID))
                return
            }
            pieces.append(Int(piece.id))
            startIndex = piece.endIndex
        }
        ids.append(contentsOf: pieces)
    }

    /// The text for `ids`; ids the tokenizer does not know are skipped, special tokens too when asked.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        let tokens = vocabulary.spellingsToDecode(ids, skipSpecialTokens: skipSpecialTokens)
        switch decoder {
        case .none:
            return tokens.joined(separator: " ")
        case .wordPiece(let prefix, let cleanup):
            var text = ""
            for (index, token) in tokens.enumerated() {
                var piece = token
                if index > 0 {
                    if !prefix.isEmpty && piece.utf8.starts(with: prefix.utf8) {
                        piece = String(decoding: piece.utf8.dropFirst(prefix.utf8.count), as: UTF8.self)
                    } else {
                        piece = " " + piece
                    }
                }
                text += cleanup ? Self.cleanUp(piece) : piece
            }
            return text
        }
    }

    /// Hugging Face's `cleanup` for one decoded piece: byte-exact replacements, in this order.
    static func cleanUp(_ text: String) -> String {
        var bytes = Array(text.utf8)
        for (pattern, replacement) in cleanupReplacements { bytes = replacing(pattern, with: replacement, in: bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static let cleanupReplacements: [([UInt8], [UInt8])] = [
        (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
        (" 'm", "'m"), (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
    ].map { (Array($0.0.utf8), Array($0.1.utf8)) }

    /// `text` with every non-overlapping occurrence of `pattern`, left to right, replaced.
    private static func replacing(_ pattern: [UInt8], with replacement: [UInt8], in text: [UInt8]) -> [UInt8] {
        guard text.count >= pattern.count else { return text }
        var result: [UInt8] = []
        var i = 0
        while i < text.count {
            if i + pattern.count <= text.count && text[i] == pattern[0] && text[i..<(i + pattern.count)].elementsEqual(pattern) {
                result.append(contentsOf: replacement)
                i += pattern.count
            } else {
                result.append(text[i])
                i += 1
            }
        }
        return result
    }

    /// The id of a vocabulary entry spelled exactly `token`, if any.
    public func id(for token: String) -> Int? { vocabulary.id(for: token) }

    /// The vocabulary entry for `id`, as the tokenizer spells it (byte-level alphabet, `##` prefix, ...).
    public func token(for id: Int) -> String? { vocabulary.token(for: id) }
}
