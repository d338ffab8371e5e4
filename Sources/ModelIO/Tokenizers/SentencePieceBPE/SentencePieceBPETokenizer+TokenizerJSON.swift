import Foundation

extension SentencePieceBPETokenizer {
    /// Whether a tokenizer.json with a BPE model is SentencePiece-style: no `ByteLevel` anywhere in its
    /// pre-tokenizer (GPT-2-style files have one, which `ByteLevelBPETokenizer` reads).
    static func describes(_ json: TokenizerJSONValue) -> Bool {
        guard let value = json["pre_tokenizer"], !value.isNull else { return true }
        let parts = value["type"]?.string == "Sequence" ? (value["pretokenizers"]?.array ?? []) : [value]
        return !parts.contains { $0["type"]?.string == "ByteLevel" }
    }

    /// Reads a SentencePiece-style tokenizer.json; BOS/EOS/pad/unknown names and `split_special_tokens`
    /// come from tokenizer_config.json (or special_tokens_map.json) in the same folder, where present.
    public init(tokenizerJSONAt url: URL) throws {
        let json = try TokenizerJSONValue.read(url)
        let config = try HuggingFaceTokenizerConfig(folder: url.deletingLastPathComponent())
        try self.init(tokenizerJSON: json, config: config, file: url.path)
    }

    /// Builds the tokenizer a parsed tokenizer.json describes.
    init(tokenizerJSON json: TokenizerJSONValue, config: HuggingFaceTokenizerConfig, file: String) throws {
        let type = try HuggingFaceTokenizerJSON.modelType(json, file: file)
        guard type == "BPE" else { throw TokenizerError.unsupported(file: file, what: "model type \(type) (expected BPE)") }
        if let value = json["pre_tokenizer"], !value.isNull {
            throw TokenizerError.unsupported(file: file, what: "pre-tokenizer \(value["type"]?.string ?? "?") in a SentencePiece-style BPE tokenizer")
        }
        let model = json["model"]!
        if let dropout = model["dropout"]?.double, dropout > 0 {
            throw TokenizerError.unsupported(file: file, what: "BPE dropout")
        }
        for affix in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let value = model[affix]?.string, !value.isEmpty {
                throw TokenizerError.unsupported(file: file, what: "BPE with \(affix) \(value.debugDescription)")
            }
        }
        var options = ModelOptions()
        options.ignoresMerges = model["ignore_merges"]?.bool ?? false
        options.unknownToken = model["unk_token"]?.string
        options.fusesUnknown = model["fuse_unk"]?.bool ?? false
        options.usesByteFallback = model["byte_fallback"]?.bool ?? false
        try self.init(
            vocabulary: try HuggingFaceTokenizerJSON.vocabulary(model, file: file),
            merges: try HuggingFaceTokenizerJSON.merges(model, file: file),
            addedTokens: try HuggingFaceTokenizerJSON.addedTokens(json, file: file),
            normalizer: try SentencePieceNormalizer(json: json["normalizer"], file: file),
            decoder: try SentencePieceDecoder(json: json["decoder"], file: file),
            options: options,
            specialTokens: try HuggingFaceTokenizerJSON.specialTokens(json, file: file),
            matchesSpecialTokens: !(config.splitsSpecialTokens ?? false),
            names: (config.bosToken, config.eosToken, config.padToken, config.unknownToken),
            source: file)
    }
}
