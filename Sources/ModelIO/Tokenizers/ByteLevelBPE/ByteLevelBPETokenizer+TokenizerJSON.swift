import Foundation

extension ByteLevelBPETokenizer {
    /// Reads a Hugging Face tokenizer.json with a byte-level BPE model; BOS/EOS/pad/unknown names come
    /// from tokenizer_config.json (or special_tokens_map.json) in the same folder, where present.
    public init(tokenizerJSONAt url: URL) throws {
        try self.init(tokenizerJSON: TokenizerJSONFile(contentsOf: url))
    }

    /// Builds the tokenizer a read tokenizer.json describes.
    init(tokenizerJSON source: TokenizerJSONFile) throws {
        let json = source.json, file = source.path
        let model = try HuggingFaceBPEModel(source.model(ofType: "BPE"), of: json, file: file)
        let preTokenizer = try Self.preTokenizer(json["pre_tokenizer"], file: file)
        let decoder = try Self.decoder(json["decoder"], file: file)
        let normalizer = try HuggingFaceTokenizerJSON.normalizer(json, file: file)
        let specialTokens = try HuggingFaceTokenizerJSON.specialTokens(json, file: file)
        let vocabulary = try model.checkedVocabulary(matchesSpecialTokens: source.config.matchesSpecialTokens, file: file)
        let named = source.config.specialTokenIDs(in: vocabulary.tokens)
        self.init(
            vocabulary: vocabulary, preTokenizer: preTokenizer, normalizer: normalizer, decoder: decoder,
            options: model.options, specialTokens: specialTokens, bosTokenID: named.bos, eosTokenID: named.eos,
            padTokenID: named.pad ?? json["padding"]?["pad_id"]?.integer, unknownTokenID: named.unknown)
    }

    /// The byte-level pre-tokenizer a tokenizer.json describes: ByteLevel alone, or a Sequence of
    /// Digits / Split (GPT-2, Llama-3 or Qwen2 pattern, isolated) steps and a final ByteLevel.
    static func preTokenizer(_ value: TokenizerJSONValue?, file: String) throws -> ByteLevelPreTokenizer {
        guard let value, !value.isNull else {
            throw TokenizerError.unsupported(file: file, what: "a BPE model without a ByteLevel pre-tokenizer (sentencepiece-style BPE)")
        }
        let parts = HuggingFaceTokenizerJSON.steps(of: value, sequenceKey: "pretokenizers")
        var result = ByteLevelPreTokenizer(steps: [])
        var sawByteLevel = false
        for (index, part) in parts.enumerated() {
            let type = part["type"]?.string ?? "?"
            switch type {
            case "ByteLevel":
                sawByteLevel = true
                if part["add_prefix_space"]?.bool ?? true {
                    guard index == 0 else {
                        throw TokenizerError.unsupported(file: file, what: "ByteLevel with add_prefix_space after other pre-tokenizers")
                    }
                    result.addsPrefixSpace = true
                }
                if part["use_regex"]?.bool ?? true { result.steps.append(.gpt2Pattern) }
            case "Digits":
                result.steps.append(.digits(individual: part["individual_digits"]?.bool ?? false))
            case "Split":
                result.steps.append(try splitStep(part, file: file))
            default:
                throw TokenizerError.unsupported(file: file, what: "pre-tokenizer \(type) in a BPE tokenizer")
            }
        }
        guard sawByteLevel else {
            throw TokenizerError.unsupported(file: file, what: "a BPE model without a ByteLevel pre-tokenizer (sentencepiece-style BPE)")
        }
        return result
    }

    /// The pattern steps `Split` can name.
    private static let knownSplitPatterns: [(String, ByteLevelPreTokenizer.Step)] =
        [ByteLevelPreTokenizer.Step.gpt2Pattern, .llama3Pattern, .qwen2Pattern].map { ($0.splitPattern!, $0) }

    private static func splitStep(_ part: TokenizerJSONValue, file: String) throws -> ByteLevelPreTokenizer.Step {
        let behavior = part["behavior"]?.string ?? "?"
        let inverted = part["invert"]?.bool ?? false
        guard let pattern = part["pattern"]?["Regex"]?.string, behavior == "Isolated", !inverted else {
            throw TokenizerError.unsupported(file: file, what: "Split pre-tokenizer other than an isolated regex")
        }
        guard let step = knownSplitPatterns.first(where: { $0.0.utf8.elementsEqual(pattern.utf8) })?.1 else {
            throw TokenizerError.unsupported(file: file, what: "Split pattern \(pattern.debugDescription) (known: GPT-2, Llama-3, Qwen2)")
        }
        return step
    }

    /// `decoder`: ByteLevel, or none.
    private static func decoder(_ value: TokenizerJSONValue?, file: String) throws -> Decoder {
        guard let value, !value.isNull else { return .none }
        let type = value["type"]?.string ?? "?"
        guard type == "ByteLevel" else { throw TokenizerError.unsupported(file: file, what: "decoder \(type) in a byte-level BPE tokenizer") }
        return .byteLevel
    }
}
