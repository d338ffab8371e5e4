import Foundation

extension SentencePieceBPETokenizer {
    /// Whether a tokenizer.json with a BPE model is SentencePiece-style: no `ByteLevel` anywhere in its
    /// pre-tokenizer (GPT-2-style files have one, which `ByteLevelBPETokenizer` reads).
    static func describes(_ json: TokenizerJSONValue) -> Bool {
        guard let value = json["pre_tokenizer"], !value.isNull else { return true }
        let parts = HuggingFaceTokenizerJSON.steps(of: value, sequenceKey: "pretokenizers")
        return !parts.contains { $0["type"]?.string == "ByteLevel" }
    }

    /// Reads a SentencePiece-style tokenizer.json; BOS/EOS/pad/unknown names and `split_special_tokens`
    /// come from tokenizer_config.json (or special_tokens_map.json) in the same folder, where present.
    public init(tokenizerJSONAt url: URL) throws {
        try self.init(tokenizerJSON: TokenizerJSONFile(contentsOf: url))
    }

    /// Builds the tokenizer a read tokenizer.json describes.
    init(tokenizerJSON source: TokenizerJSONFile) throws {
        let json = source.json, file = source.path
        let modelJSON = try source.model(ofType: "BPE")
        if let value = json["pre_tokenizer"], !value.isNull {
            throw TokenizerError.unsupported(file: file, what: "pre-tokenizer \(value["type"]?.string ?? "?") in a SentencePiece-style BPE tokenizer")
        }
        let model = try HuggingFaceBPEModel(modelJSON, of: json, file: file)
        let normalizer = try SentencePieceNormalizer(json: json["normalizer"], file: file)
        let decoder = try SentencePieceDecoder(json: json["decoder"], file: file)
        let specialTokens = try HuggingFaceTokenizerJSON.specialTokens(json, file: file)
        let vocabulary = try model.checkedVocabulary(matchesSpecialTokens: source.config.matchesSpecialTokens, file: file)
        let named = source.config.specialTokenIDs(in: vocabulary.tokens)
        self.init(
            vocabulary: vocabulary, normalizer: normalizer, decoder: decoder, options: model.options,
            specialTokens: specialTokens, bosTokenID: named.bos, eosTokenID: named.eos, padTokenID: named.pad,
            unknownTokenID: named.unknown)
    }
}
