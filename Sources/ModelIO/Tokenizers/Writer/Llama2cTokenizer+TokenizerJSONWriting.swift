extension Llama2cTokenizer {
    /// The tokenizer.json of a SentencePiece-style BPE that encodes exactly as llama2.c's `encode`:
    /// normalizer `Sequence[Prepend("▁"), Replace(" ", "▁")]` (llama2.c's dummy-prefix space, then spaces
    /// as `▁`), no pre-tokenizer (the whole text is one word, as llama2.c merges across spaces), model BPE
    /// with `byte_fallback` (a code point missing from the vocabulary becomes its `<0xXX>` byte tokens) and
    /// the merges `sentencePieceMerges` derives from the scores, `TemplateProcessing` putting `<s>` first,
    /// and decoder `Sequence[Replace("▁", " "), ByteFallback, Fuse, Strip(" ", 1, 0)]`.
    ///
    /// Where it differs from llama2.c: text holding `▁` (U+2581) itself, which llama2.c spells with byte
    /// tokens; and `<s>`, `</s>`, `<unk>` written in the text, which are the special tokens unless the
    /// reader splits special tokens (`split_special_tokens` in tokenizer_config.json, which the writer sets).
    /// Decoding drops one leading space of the whole text, as SentencePiece does, where llama2.c drops the
    /// space only after BOS.
    func tokenizerJSON(source: String) throws -> TokenizerJSONValue {
        let spellings = try sentencePieceSpellings(source: source)
        let merges = try sentencePieceMerges(spellings: spellings, source: source)
        let special = [0, 1, 2].map { AddedToken(content: spellings[$0], id: $0) }
        var options = BPEModelOptions()
        options.unknownToken = spellings[0]
        options.fusesUnknown = true
        options.usesByteFallback = true
        let mark = TokenizerJSONValue.string(Self.spaceMark)
        let normalizer: TokenizerJSONValue = .object([("type", .string("Sequence")), ("normalizers", .array([
            .object([("type", .string("Prepend")), ("prepend", mark)]),
            .object([("type", .string("Replace")), ("pattern", .object([("String", .string(" "))])), ("content", mark)]),
        ]))])
        let decoder: TokenizerJSONValue = .object([("type", .string("Sequence")), ("decoders", .array([
            .object([("type", .string("Replace")), ("pattern", .object([("String", mark)])), ("content", .string(" "))]),
            .object([("type", .string("ByteFallback"))]),
            .object([("type", .string("Fuse"))]),
            .object([("type", .string("Strip")), ("content", .string(" ")), ("start", .integer(1)), ("stop", .integer(0))]),
        ]))])
        return TokenizerJSONParts.document(
            addedTokens: special, normalizer: normalizer, preTokenizer: .null,
            postProcessor: try TokenizerJSONParts.templateProcessing(defaultSpecialTokens, name: { spellings[$0] }, source: source),
            decoder: decoder,
            model: TokenizerJSONParts.bpeModel(vocabulary: spellings.enumerated().map { ($0.element, $0.offset) },
                                               merges: merges, options: options))
    }
}
