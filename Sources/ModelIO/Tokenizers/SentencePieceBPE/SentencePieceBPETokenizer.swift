/// A SentencePiece-style BPE tokenizer.json (Llama-2 family, and what `TokenizerJSONWriter` writes for
/// llama2.c's tokenizer.bin): no pre-tokenizer, so each run of text between added tokens is normalized
/// (e.g. `▁` prepended and put for spaces) and merged as one word; its Unicode scalars are the starting
/// symbols, a scalar missing from the vocabulary becomes its `<0xXX>` byte tokens (`byte_fallback`) or
/// the unknown token. Encodes and decodes as Hugging Face `tokenizers` does with the same file.
public struct SentencePieceBPETokenizer: Tokenizer {
    /// Model settings beyond vocabulary and merges (tokenizer.json `model`).
    struct ModelOptions: Sendable {
        /// `ignore_merges`: a word that is itself in the vocabulary is taken whole.
        var ignoresMerges = false
        /// `unk_token`: stands for a scalar the vocabulary lacks (otherwise it is dropped).
        var unknownToken: String?
        /// `fuse_unk`: consecutive unknown scalars make one unknown token.
        var fusesUnknown = false
        /// `byte_fallback`: an unknown scalar is spelled with `<0xXX>` tokens when they exist.
        var usesByteFallback = false
    }

    /// Spelling of each id ("" for ids with no token).
    private let spellings: [String]
    /// Whether each id is a special added token.
    private let isSpecialID: [Bool]
    /// Model vocabulary: spelling (UTF-8) to id.
    private let modelIDs: [[UInt8]: Int32]
    /// Added tokens: content (UTF-8) to id.
    private let addedIDs: [[UInt8]: Int32]
    /// Id of `<0xXX>` for each byte, -1 where the vocabulary lacks it.
    private let byteFallbackIDs: [Int32]
    private let merges: BPEMergeTable
    private let addedVocabulary: TokenizerAddedVocabulary
    private let normalizer: SentencePieceNormalizer
    private let decoder: SentencePieceDecoder
    private let options: ModelOptions
    private let unknownModelID: Int32?

    public let vocabSize: Int
    public let bosTokenID: Int?
    public let eosTokenID: Int?
    public let padTokenID: Int?
    public let unknownTokenID: Int?
    public let defaultSpecialTokens: TokenizerSpecialTokens
    /// The added tokens (matched whole in text before normalization).
    public var addedTokens: [AddedToken] { addedVocabulary.tokens }

    /// The designated initializer: vocabulary as (spelling, id) pairs, merges as pairs of spellings in
    /// rank order; `source` names where they came from in errors.
    init(vocabulary: [(String, Int)], merges: [(String, String)], addedTokens: [AddedToken],
         normalizer: SentencePieceNormalizer, decoder: SentencePieceDecoder, options: ModelOptions,
         specialTokens: TokenizerSpecialTokens, matchesSpecialTokens: Bool,
         names: (bos: String?, eos: String?, pad: String?, unknown: String?), source: String) throws {
        var modelIDs: [[UInt8]: Int32] = [:]
        modelIDs.reserveCapacity(vocabulary.count)
        var size = 0
        for (spelling, id) in vocabulary {
            guard id >= 0 && id < Int(Int32.max) else {
                throw TokenizerError.malformed(file: source, reason: "token \(spelling.debugDescription) has id \(id)")
            }
            modelIDs[Array(spelling.utf8)] = Int32(id)
            size = max(size, id + 1)
        }
        var addedIDs: [[UInt8]: Int32] = [:]
        for token in addedTokens {
            guard token.id >= 0 && token.id < Int(Int32.max) else {
                throw TokenizerError.malformed(file: source, reason: "added token \(token.content.debugDescription) has id \(token.id)")
            }
            addedIDs[Array(token.content.utf8)] = Int32(token.id)
            size = max(size, token.id + 1)
        }
        var spellings = [String](repeating: "", count: size)
        for (spelling, id) in vocabulary { spellings[id] = spelling }
        var isSpecialID = [Bool](repeating: false, count: size)
        for token in addedTokens {
            spellings[token.id] = token.content
            isSpecialID[token.id] = token.isSpecial
        }
        var mergeTable = BPEMergeTable()
        for (rank, (left, right)) in merges.enumerated() {
            guard let leftID = modelIDs[Array(left.utf8)], let rightID = modelIDs[Array(right.utf8)] else {
                throw TokenizerError.malformed(file: source, reason: "merge \(rank) (\(left) \(right)) uses a token missing from the vocabulary")
            }
            guard let mergedID = modelIDs[Array((left + right).utf8)] else {
                throw TokenizerError.malformed(file: source, reason: "merge \(rank) makes \(left + right), which is missing from the vocabulary")
            }
            mergeTable.add(left: leftID, right: rightID, merged: mergedID, rank: Int32(rank))
        }
        var unknownModelID: Int32?
        if let unknown = options.unknownToken {
            guard let id = modelIDs[Array(unknown.utf8)] else {
                throw TokenizerError.malformed(file: source, reason: "unknown token \(unknown.debugDescription) is missing from the vocabulary")
            }
            unknownModelID = id
        }
        func id(of name: String?) -> Int? {
            guard let key = name.map({ Array($0.utf8) }) else { return nil }
            return (addedIDs[key] ?? modelIDs[key]).map(Int.init)
        }
        self.spellings = spellings
        self.isSpecialID = isSpecialID
        self.modelIDs = modelIDs
        self.addedIDs = addedIDs
        self.byteFallbackIDs = (0..<256).map { modelIDs[Array(Self.byteTokenName(UInt8($0)).utf8)] ?? -1 }
        self.merges = mergeTable
        self.addedVocabulary = TokenizerAddedVocabulary(addedTokens, matchesSpecialTokens: matchesSpecialTokens)
        self.normalizer = normalizer
        self.decoder = decoder
        self.options = options
        self.unknownModelID = unknownModelID
        self.vocabSize = size
        self.bosTokenID = id(of: names.bos)
        self.eosTokenID = id(of: names.eos)
        self.padTokenID = id(of: names.pad)
        self.unknownTokenID = id(of: names.unknown) ?? unknownModelID.map(Int.init)
        self.defaultSpecialTokens = specialTokens
    }

    public func encode(_ text: String, addSpecialTokens: Bool) -> [Int] {
        var ids: [Int] = []
        for segment in addedVocabulary.segments(of: text, normalize: normalizer.normalize) {
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
        if options.ignoresMerges, let id = modelIDs[Array(word.utf8)] { return [id] }
        var symbols: [Int32] = []
        symbols.reserveCapacity(word.utf8.count)
        var pendingUnknown = false
        for scalar in word.unicodeScalars {
            let utf8 = Array(String(scalar).utf8)
            if let id = modelIDs[utf8] {
                if pendingUnknown, let unknown = unknownModelID { symbols.append(unknown) }
                pendingUnknown = false
                symbols.append(id)
                continue
            }
            if options.usesByteFallback, utf8.allSatisfy({ byteFallbackIDs[Int($0)] >= 0 }) {
                for byte in utf8 { symbols.append(byteFallbackIDs[Int(byte)]) }
                continue
            }
            if let unknown = unknownModelID {
                if pendingUnknown && !options.fusesUnknown { symbols.append(unknown) }
                pendingUnknown = true
            }
        }
        if pendingUnknown, let unknown = unknownModelID { symbols.append(unknown) }
        return BPEWordMerger.merge(symbols, with: merges)
    }

    public func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        let tokens = ids.compactMap { id -> String? in
            guard id >= 0 && id < vocabSize, !spellings[id].isEmpty, !(skipSpecialTokens && isSpecialID[id]) else { return nil }
            return spellings[id]
        }
        return decoder.decode(tokens)
    }

    /// `<0xXX>` with upper-case hex digits, as SentencePiece names byte tokens and `byte_fallback` looks
    /// them up.
    static func byteTokenName(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return "<0x" + (hex.count == 1 ? "0" + hex : hex) + ">"
    }

    public func id(for token: String) -> Int? {
        let key = Array(token.utf8)
        return (addedIDs[key] ?? modelIDs[key]).map(Int.init)
    }

    public func token(for id: Int) -> String? {
        guard id >= 0 && id < vocabSize, !spellings[id].isEmpty else { return nil }
        return spellings[id]
    }
}
