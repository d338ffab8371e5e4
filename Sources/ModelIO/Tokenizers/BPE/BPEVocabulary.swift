/// The vocabulary of a BPE model, checked: token ids (model and added), the merge table over them, and
/// the ids a word's unknown scalars turn into (the unknown token, `<0xXX>` byte tokens).
struct BPEVocabulary: Sendable {
    /// Ids by spelling, spellings by id.
    let tokens: TokenizerVocabulary
    /// Merges by pair of ids.
    let merges: BPEMergeTable
    /// Id of `unk_token`, when the model has one.
    let unknownModelID: Int32?
    /// Id of `<0xXX>` for each byte, -1 where the vocabulary lacks it (for `byte_fallback`).
    let byteFallbackIDs: [Int32]

    /// `vocabulary` as (spelling, id) pairs, which may leave ids out; `merges` as pairs of spellings in
    /// rank order, each part and their concatenation in the vocabulary; `unknownToken`, when given, in the
    /// vocabulary too. `source` names where they came from in errors.
    init(vocabulary: [(String, Int)], merges: [(String, String)], addedTokens: [AddedToken],
         matchesSpecialTokens: Bool = true, unknownToken: String?, source: String) throws {
        let tokens = try TokenizerVocabulary(vocabulary: vocabulary, addedTokens: addedTokens,
                                             matchesSpecialTokens: matchesSpecialTokens, source: source)
        let modelIDs = tokens.modelIDs
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
        if let unknown = unknownToken {
            guard let id = modelIDs[Array(unknown.utf8)] else {
                throw TokenizerError.malformed(file: source, reason: "unknown token \(unknown.debugDescription) is missing from the vocabulary")
            }
            unknownModelID = id
        }
        self.tokens = tokens
        self.merges = mergeTable
        self.unknownModelID = unknownModelID
        self.byteFallbackIDs = (0..<256).map { modelIDs[Array(SentencePieceBPETokenizer.byteTokenName(UInt8($0)).utf8)] ?? -1 }
    }
}
