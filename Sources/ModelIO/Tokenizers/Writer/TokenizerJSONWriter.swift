import Foundation

/// Writes a tokenizer as a Hugging Face tokenizer folder that `AutoTokenizer.from_pretrained` loads and
/// that encodes exactly as the tokenizer does: byte-level BPE (GPT-2, SmolLM2, Llama-3, Qwen2) and
/// llama2.c's tokenizer.bin (as a SentencePiece-style BPE). WordPiece is not written.
public enum TokenizerJSONWriter {
    /// The files for `tokenizer`. `chatTemplate` (Jinja) and `modelMaxLength` go into tokenizer_config.json
    /// when given; `source` names the tokenizer's origin in errors.
    public static func files(for tokenizer: any Tokenizer, chatTemplate: String? = nil, modelMaxLength: Int? = nil,
                             source: String) throws -> HuggingFaceTokenizerFiles {
        let json: TokenizerJSONValue
        var settings = HuggingFaceTokenizerSettings()
        switch tokenizer {
        case let byteLevel as ByteLevelBPETokenizer:
            json = try byteLevel.tokenizerJSON(source: source)
            settings.splitsSpecialTokens = !byteLevel.vocabulary.tokens.added.matchesSpecialTokens
        case let llama2c as Llama2cTokenizer:
            json = try llama2c.tokenizerJSON(source: source)
            settings.splitsSpecialTokens = true
        case is WordPieceTokenizer:
            throw TokenizerWriteError.unsupportedKind(source: source, kind: "WordPiece")
        default:
            throw TokenizerWriteError.unsupportedKind(source: source, kind: String(describing: type(of: tokenizer)))
        }
        let spelling = { (id: Int?) in id.flatMap { Self.spelling(of: $0, in: json) } }
        settings.bosToken = spelling(tokenizer.bosTokenID)
        settings.eosToken = spelling(tokenizer.eosTokenID)
        settings.padToken = spelling(tokenizer.padTokenID)
        settings.unknownToken = spelling(tokenizer.unknownTokenID)
        settings.addsBOS = tokenizer.bosTokenID.map(tokenizer.defaultSpecialTokens.prefix.contains) ?? false
        settings.addsEOS = tokenizer.eosTokenID.map(tokenizer.defaultSpecialTokens.suffix.contains) ?? false
        settings.chatTemplate = chatTemplate
        settings.modelMaxLength = modelMaxLength
        return HuggingFaceTokenizerFiles(tokenizerJSON: json.jsonData(),
                                         tokenizerConfigJSON: settings.tokenizerConfig.jsonData(),
                                         specialTokensMapJSON: settings.specialTokensMap.jsonData())
    }

    /// How the written tokenizer.json spells `id`: its added token, else its vocabulary entry.
    private static func spelling(of id: Int, in json: TokenizerJSONValue) -> String? {
        if let added = json["added_tokens"]?.array?.first(where: { $0["id"]?.integer == id }) { return added["content"]?.string }
        return json["model"]?["vocab"]?.members?.first(where: { $0.value.integer == id })?.key
    }
}
