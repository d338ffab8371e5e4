/// The BPE `model` of a tokenizer.json as read, with the file's added tokens: what both BPE readers
/// (byte-level and SentencePiece-style) take from it before their own parts, and check after them.
struct HuggingFaceBPEModel {
    /// `ignore_merges`, `unk_token`, `fuse_unk`, `byte_fallback`.
    let options: BPEModelOptions
    /// `model.vocab` as (spelling, id) pairs.
    let vocabulary: [(String, Int)]
    /// `model.merges`, best first.
    let merges: [(String, String)]
    /// `added_tokens`.
    let addedTokens: [AddedToken]

    /// Reads `model` (a BPE model of `json`); dropout and subword affixes are `TokenizerError.unsupported`.
    init(_ model: TokenizerJSONValue, of json: TokenizerJSONValue, file: String) throws {
        if let dropout = model["dropout"]?.double, dropout > 0 {
            throw TokenizerError.unsupported(file: file, what: "BPE dropout")
        }
        for affix in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let value = model[affix]?.string, !value.isEmpty {
                throw TokenizerError.unsupported(file: file, what: "BPE with \(affix) \(value.debugDescription)")
            }
        }
        var options = BPEModelOptions()
        options.ignoresMerges = model["ignore_merges"]?.bool ?? false
        options.unknownToken = model["unk_token"]?.string
        options.fusesUnknown = model["fuse_unk"]?.bool ?? false
        options.usesByteFallback = model["byte_fallback"]?.bool ?? false
        self.options = options
        vocabulary = try HuggingFaceTokenizerJSON.vocabulary(model, file: file)
        merges = try HuggingFaceTokenizerJSON.merges(model, file: file)
        addedTokens = try HuggingFaceTokenizerJSON.addedTokens(json, file: file)
    }

    /// The vocabulary, merges and added tokens checked against each other and indexed.
    func checkedVocabulary(matchesSpecialTokens: Bool, file: String) throws -> BPEVocabulary {
        try BPEVocabulary(vocabulary: vocabulary, merges: merges, addedTokens: addedTokens,
                          matchesSpecialTokens: matchesSpecialTokens, unknownToken: options.unknownToken, source: file)
    }
}
