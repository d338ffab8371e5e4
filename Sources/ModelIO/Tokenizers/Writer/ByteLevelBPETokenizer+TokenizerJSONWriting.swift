extension ByteLevelBPETokenizer {
    /// The tokenizer.json that encodes and decodes exactly as this tokenizer: model `BPE` with its vocabulary
    /// (id order) and merges (rank order), the added tokens with their flags, the pre-tokenizer steps as
    /// Hugging Face spells them, `ByteLevel` decoder, and as post-processor `ByteLevel`, or
    /// `Sequence[ByteLevel, TemplateProcessing]` when special tokens are put around each text.
    func tokenizerJSON(source: String) throws -> TokenizerJSONValue {
        var spellingOfID: [Int32: String] = [:]
        for (bytes, id) in vocabulary.tokens.modelIDs { spellingOfID[id] = String(decoding: bytes, as: UTF8.self) }
        let vocabularyPairs = spellingOfID.sorted { $0.key < $1.key }.map { ($0.value, Int($0.key)) }
        let mergePairs = vocabulary.merges.rankedPairs().map { (spellingOfID[$0.left]!, spellingOfID[$0.right]!) }

        let byteLevelProcessor: TokenizerJSONValue = .object([
            ("type", .string("ByteLevel")), ("add_prefix_space", .bool(true)),
            ("trim_offsets", .bool(false)), ("use_regex", .bool(true)),
        ])
        var postProcessor = byteLevelProcessor
        if defaultSpecialTokens != TokenizerSpecialTokens.none {
            let template = try TokenizerJSONParts.templateProcessing(defaultSpecialTokens, name: token(for:), source: source)
            postProcessor = .object([("type", .string("Sequence")), ("processors", .array([byteLevelProcessor, template]))])
        }
        return TokenizerJSONParts.document(
            addedTokens: addedTokens,
            normalizer: try normalizerJSON(source: source),
            preTokenizer: try preTokenizer.tokenizerJSON(source: source),
            postProcessor: postProcessor,
            decoder: decoderJSON,
            model: TokenizerJSONParts.bpeModel(vocabulary: vocabularyPairs, merges: mergePairs, options: options))
    }

    private func normalizerJSON(source: String) throws -> TokenizerJSONValue {
        switch normalizer {
        case .none: return .null
        case .nfc: return .object([("type", .string("NFC"))])
        case .bert: throw TokenizerWriteError.unsupportedKind(source: source, kind: "byte-level BPE with a BERT normalizer")
        }
    }

    private var decoderJSON: TokenizerJSONValue {
        switch decoder {
        case .none: return .null
        case .byteLevel:
            return .object([
                ("type", .string("ByteLevel")), ("add_prefix_space", .bool(true)),
                ("trim_offsets", .bool(true)), ("use_regex", .bool(true)),
            ])
        }
    }
}
