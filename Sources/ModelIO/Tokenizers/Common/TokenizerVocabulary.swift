/// A tokenizer's ids both ways, as every Hugging Face model kind keeps them: the model vocabulary and the
/// added tokens by spelling, and for each id its spelling and whether it is a special added token.
/// An added token takes the id's spelling over a model entry with the same id.
struct TokenizerVocabulary: Sendable {
    /// Model vocabulary: spelling (UTF-8) to id.
    let modelIDs: [[UInt8]: Int32]
    /// Added tokens: content (UTF-8) to id.
    private let addedIDs: [[UInt8]: Int32]
    /// Spelling of each id ("" for ids with no token).
    let spellings: [String]
    /// Whether each id is a special added token.
    private let isSpecialID: [Bool]
    /// The added tokens, and how they cut a text before normalization and pre-tokenization.
    let added: TokenizerAddedVocabulary

    /// Checks that every id fits an `Int32` and indexes them: `vocabulary` as (spelling, id) pairs, which
    /// may leave ids out; `matchesSpecialTokens` false is `split_special_tokens`. `source` names the
    /// vocabulary's origin in errors.
    init(vocabulary: [(String, Int)], addedTokens: [AddedToken], matchesSpecialTokens: Bool = true,
         source: String) throws {
        var modelIDs: [[UInt8]: Int32] = [:]
        modelIDs.reserveCapacity(vocabulary.count)
        var count = 0
        for (spelling, id) in vocabulary {
            guard id >= 0 && id < Int(Int32.max) else {
                throw TokenizerError.malformed(file: source, reason: "token \(spelling.debugDescription) has id \(id)")
            }
            modelIDs[Array(spelling.utf8)] = Int32(id)
            count = max(count, id + 1)
        }
        var addedIDs: [[UInt8]: Int32] = [:]
        for token in addedTokens {
            guard token.id >= 0 && token.id < Int(Int32.max) else {
                throw TokenizerError.malformed(file: source, reason: "added token \(token.content.debugDescription) has id \(token.id)")
            }
            addedIDs[Array(token.content.utf8)] = Int32(token.id)
            count = max(count, token.id + 1)
        }
        // ids index dense tables: one far past the number of tokens would allocate for nothing
        let entries = vocabulary.count + addedTokens.count
        guard count <= min(TokenizerFiles.maximumVocabularySize, 4 * entries + 1024) else {
            throw TokenizerError.malformed(file: source, reason: "token id \(count - 1) is far past the \(entries) tokens the vocabulary holds")
        }
        var spellings = [String](repeating: "", count: count)
        for (spelling, id) in vocabulary { spellings[id] = spelling }
        var isSpecialID = [Bool](repeating: false, count: count)
        for token in addedTokens {
            spellings[token.id] = token.content
            isSpecialID[token.id] = token.isSpecial
        }
        self.modelIDs = modelIDs
        self.addedIDs = addedIDs
        self.spellings = spellings
        self.isSpecialID = isSpecialID
        self.added = TokenizerAddedVocabulary(addedTokens, matchesSpecialTokens: matchesSpecialTokens)
    }

    /// Number of ids, one past the highest: the embedding rows a model needs.
    var count: Int { spellings.count }

    /// The id of the added token, else the model entry, spelled exactly `token`.
    func id(for token: String) -> Int? {
        let key = Array(token.utf8)
        return (addedIDs[key] ?? modelIDs[key]).map(Int.init)
    }

    /// The spelling of `id`; nil outside the ids or for an id with no token.
    func token(for id: Int) -> String? {
        guard id >= 0 && id < count && !spellings[id].isEmpty else { return nil }
        return spellings[id]
    }

    /// Whether decoding keeps `id`: an id with a token, and not a special one when those are skipped.
    @inline(__always)
    func isDecoded(_ id: Int, skipSpecialTokens: Bool) -> Bool {
        id >= 0 && id < count && !spellings[id].isEmpty && !(skipSpecialTokens && isSpecialID[id])
    }

    /// The spellings of the `ids` that decoding keeps, in order.
    func spellingsToDecode(_ ids: [Int], skipSpecialTokens: Bool) -> [String] {
        ids.compactMap { isDecoded($0, skipSpecialTokens: skipSpecialTokens) ? spellings[$0] : nil }
    }
}
