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

    /// Model settings beyond vocabulary and merges (tokenizer.json `model`).
    struct ModelOptions: Sendable {
        /// `ignore_merges`: a piece that is itself in the vocabulary is taken whole.
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
    /// Bytes each id decodes to.
    private let decodedBytes: [[UInt8]]
    /// Whether each id is a special added token.
    private let isSpecialID: [Bool]
    /// Model vocabulary: spelling (UTF-8) to id.
    let modelIDs: [[UInt8]: Int32]
    /// Added tokens: content (UTF-8) to id.
    private let addedIDs: [[UInt8]: Int32]
    /// Id of the one-scalar token spelling each byte, -1 where the vocabulary lacks it.
    private let byteTokenIDs: [Int32]
    let merges: BPEMergeTable
    let addedVocabulary: TokenizerAddedVocabulary
    let preTokenizer: ByteLevelPreTokenizer
    let normalizer: TokenizerNormalizer
    let decoder: Decoder
    let options: ModelOptions
    private let unknownModelID: Int32?
    private let cache = BPEWordCache()

    public let vocabSize: Int
    public let bosTokenID: Int?
    public let eosTokenID: Int?
    public let padTokenID: Int?
    public let unknownTokenID: Int?
    public let defaultSpecialTokens: TokenizerSpecialTokens
    /// The added tokens (matched whole in text before pre-tokenization).
    public var addedTokens: [AddedToken] { addedVocabulary.tokens }

    /// A tokenizer from in-memory parts: `tokens[i]` is the spelling of id `i` in the byte-level
    /// alphabet, `merges` are pairs of spellings in rank order. `source` names where they came from in errors.
    public init(tokens: [String], merges: [(String, String)], addedTokens: [AddedToken] = [],
                preTokenizer: ByteLevelPreTokenizer = .gpt2, specialTokens: TokenizerSpecialTokens = .none,
                bosTokenID: Int? = nil, eosTokenID: Int? = nil, padTokenID: Int? = nil, unknownTokenID: Int? = nil,
                source: String = "in-memory vocabulary") throws {
        try self.init(vocabulary: tokens.enumerated().map { ($0.element, $0.offset) }, merges: merges,
                      addedTokens: addedTokens, preTokenizer: preTokenizer, normalizer: .none, decoder: .byteLevel,
                      options: ModelOptions(), specialTokens: specialTokens, bosTokenID: bosTokenID, eosTokenID: eosTokenID,
                      padTokenID: padTokenID, unknownTokenID: unknownTokenID, source: source)
    }

    /// The designated initializer: vocabulary as (spelling, id) pairs, which may leave ids out.
    init(vocabulary: [(String, Int)], merges: [(String, String)], addedTokens: [AddedToken],
         preTokenizer: ByteLevelPreTokenizer, normalizer: TokenizerNormalizer, decoder: Decoder, options: ModelOptions,
         specialTokens: TokenizerSpecialTokens, bosTokenID: Int?, eosTokenID: Int?, padTokenID: Int?,
         unknownTokenID: Int?, matchesSpecialTokens: Bool = true, source: String) throws {
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
        self.spellings = spellings
        self.decodedBytes = spellings.map { ByteLevelAlphabet.bytes(ofToken: $0) }
        self.isSpecialID = isSpecialID
        self.modelIDs = modelIDs
        self.addedIDs = addedIDs
        self.byteTokenIDs = ByteLevelAlphabet.scalarForByte.map { modelIDs[Array(String($0).utf8)] ?? -1 }
        self.merges = mergeTable
        self.addedVocabulary = TokenizerAddedVocabulary(addedTokens, matchesSpecialTokens: matchesSpecialTokens)
        self.preTokenizer = preTokenizer
        self.normalizer = normalizer
        self.decoder = decoder
        self.options = options
        self.unknownModelID = unknownModelID
        self.vocabSize = size
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
        self.padTokenID = padTokenID
        self.unknownTokenID = unknownTokenID ?? unknownModelID.map(Int.init)
        self.defaultSpecialTokens = specialTokens
    }

    public func encode(_ text: String, addSpecialTokens: Bool) -> [Int] {
        var ids: [Int] = []
        ids.reserveCapacity(text.utf8.count / 3 + 4)
        for segment in addedVocabulary.segments(of: text, normalize: normalizer.normalize) {
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
        if options.ignoresMerges, let id = modelIDs[Array(ByteLevelAlphabet.spell(bytes).utf8)] { return [id] }
        var symbols: [Int32] = []
        symbols.reserveCapacity(bytes.count)
        var pendingUnknown = false
        for byte in bytes {
            let id = byteTokenIDs[Int(byte)]
            if id >= 0 {
                if pendingUnknown, let unknown = unknownModelID { symbols.append(unknown) }
                pendingUnknown = false
                symbols.append(id)
                continue
            }
            if options.usesByteFallback, let fallback = byteFallbackIDs(for: byte) {
                symbols.append(contentsOf: fallback)
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

    /// `<0xXX>` ids for the UTF-8 bytes of the scalar spelling `byte`, if the vocabulary has them all.
    private func byteFallbackIDs(for byte: UInt8) -> [Int32]? {
        var ids: [Int32] = []
        for utf8Byte in String(ByteLevelAlphabet.scalarForByte[Int(byte)]).utf8 {
            let hex = String(utf8Byte, radix: 16, uppercase: true)
            guard let id = modelIDs[Array("<0x\(hex.count == 1 ? "0" + hex : hex)>".utf8)] else { return nil }
            ids.append(id)
        }
        return ids
    }

    public func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        let kept = ids.filter { $0 >= 0 && $0 < vocabSize && !(skipSpecialTokens && isSpecialID[$0]) && hasToken($0) }
        switch decoder {
        case .none:
            return kept.map { spellings[$0] }.joined(separator: " ")
        case .byteLevel:
            var bytes: [UInt8] = []
            bytes.reserveCapacity(kept.count * 4)
            for id in kept { bytes.append(contentsOf: decodedBytes[id]) }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    private func hasToken(_ id: Int) -> Bool { !spellings[id].isEmpty }

    public func id(for token: String) -> Int? {
        let key = Array(token.utf8)
        if let id = addedIDs[key] ?? modelIDs[key] { return Int(id) }
        return nil
    }

    public func token(for id: Int) -> String? {
        guard id >= 0 && id < vocabSize && hasToken(id) else { return nil }
        return spellings[id]
    }
}
