/// What tokenizer_config.json says beside tokenizer.json.
struct HuggingFaceTokenizerSettings {
    var bosToken: String?
    var eosToken: String?
    var padToken: String?
    var unknownToken: String?
    var addsBOS = false
    var addsEOS = false
    var chatTemplate: String?
    var modelMaxLength: Int?
    /// `split_special_tokens`: special tokens written in text are not matched as such.
    var splitsSpecialTokens = false

    /// tokenizer_config.json. `tokenizer_class` is `PreTrainedTokenizerFast`, which loads tokenizer.json as
    /// it is (a model-specific class such as GPT2Tokenizer may rebuild the pipeline from the vocabulary);
    /// `clean_up_tokenization_spaces` is off so decoding returns the decoder's text unchanged.
    var tokenizerConfig: TokenizerJSONValue {
        var members: [(key: String, value: TokenizerJSONValue)] = [
            ("add_bos_token", .bool(addsBOS)),
            ("add_eos_token", .bool(addsEOS)),
            ("bos_token", Self.name(bosToken)),
            ("eos_token", Self.name(eosToken)),
            ("pad_token", Self.name(padToken)),
            ("unk_token", Self.name(unknownToken)),
        ]
        if let chatTemplate { members.append(("chat_template", .string(chatTemplate))) }
        members.append(("clean_up_tokenization_spaces", .bool(false)))
        if let modelMaxLength { members.append(("model_max_length", .integer(modelMaxLength))) }
        if splitsSpecialTokens { members.append(("split_special_tokens", .bool(true))) }
        members.append(("tokenizer_class", .string("PreTrainedTokenizerFast")))
        return .object(members)
    }

    /// special_tokens_map.json: the names that exist.
    var specialTokensMap: TokenizerJSONValue {
        .object([("bos_token", bosToken), ("eos_token", eosToken), ("pad_token", padToken), ("unk_token", unknownToken)]
            .compactMap { key, value in value.map { (key, TokenizerJSONValue.string($0)) } })
    }

    private static func name(_ token: String?) -> TokenizerJSONValue { token.map(TokenizerJSONValue.string) ?? .null }
}
