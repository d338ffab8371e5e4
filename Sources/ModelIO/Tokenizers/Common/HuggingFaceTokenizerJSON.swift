/// Reading the parts of a Hugging Face tokenizer.json that every model kind shares: added tokens,
/// normalizer, post-processor. Unknown kinds are `TokenizerError.unsupported`, naming the file.
enum HuggingFaceTokenizerJSON {
    /// The `model.type` (inferred from the fields when the file leaves it out, as serde does).
    static func modelType(_ json: TokenizerJSONValue, file: String) throws -> String {
        guard let model = json["model"], model.members != nil else {
            throw TokenizerError.malformed(file: file, reason: "no \"model\" object; not a Hugging Face tokenizer.json")
        }
        if let type = model["type"]?.string { return type }
        if model["merges"] != nil { return "BPE" }
        if model["max_input_chars_per_word"] != nil { return "WordPiece" }
        if let vocab = model["vocab"], vocab.array != nil { return "Unigram" }
        throw TokenizerError.malformed(file: file, reason: "\"model\" has no \"type\"")
    }

    /// `model.vocab` as (spelling, id) pairs, in file order.
    static func vocabulary(_ model: TokenizerJSONValue, file: String) throws -> [(String, Int)] {
        guard let members = model["vocab"]?.members else {
            throw TokenizerError.malformed(file: file, reason: "\"model.vocab\" is not an object of token to id")
        }
        return try members.map { member in
            guard let id = member.value.integer else {
                throw TokenizerError.malformed(file: file, reason: "vocabulary entry \(member.key.debugDescription) has no integer id")
            }
            return (member.key, id)
        }
    }

    /// `model.merges`: "a b" strings (split at the first space) or [a, b] pairs.
    static func merges(_ model: TokenizerJSONValue, file: String) throws -> [(String, String)] {
        guard let list = model["merges"]?.array else {
            throw TokenizerError.malformed(file: file, reason: "\"model.merges\" is not an array")
        }
        return try list.enumerated().map { rank, merge in
            if let text = merge.string, let space = text.utf8.firstIndex(of: 0x20) {
                return (String(text[..<space]), String(text[text.utf8.index(after: space)...]))
            }
            if let pair = merge.array, pair.count == 2, let left = pair[0].string, let right = pair[1].string {
                return (left, right)
            }
            throw TokenizerError.malformed(file: file, reason: "merge \(rank) is neither \"a b\" nor [a, b]")
        }
    }

    /// `added_tokens`.
    static func addedTokens(_ json: TokenizerJSONValue, file: String) throws -> [AddedToken] {
        guard let entries = json["added_tokens"], !entries.isNull else { return [] }
        guard let list = entries.array else {
            throw TokenizerError.malformed(file: file, reason: "\"added_tokens\" is not an array")
        }
        return try list.enumerated().map { index, entry in
            guard let id = entry["id"]?.integer, let content = entry["content"]?.string else {
                throw TokenizerError.malformed(file: file, reason: "added token \(index) lacks an integer \"id\" or a string \"content\"")
            }
            return AddedToken(content: content, id: id,
                              isSpecial: entry["special"]?.bool ?? false,
                              isNormalized: entry["normalized"]?.bool ?? !(entry["special"]?.bool ?? false),
                              stripsLeft: entry["lstrip"]?.bool ?? false,
                              stripsRight: entry["rstrip"]?.bool ?? false,
                              isSingleWord: entry["single_word"]?.bool ?? false)
        }
    }

    /// The steps of a pipeline part (normalizer, pre-tokenizer, decoder): those listed under `key` in a
    /// `Sequence`, else the part itself.
    static func steps(of value: TokenizerJSONValue, sequenceKey key: String) -> [TokenizerJSONValue] {
        value["type"]?.string == "Sequence" ? (value[key]?.array ?? []) : [value]
    }

    /// `normalizer`: none, NFC, BertNormalizer, or a Sequence of at most one of them.
    static func normalizer(_ json: TokenizerJSONValue, file: String) throws -> TokenizerNormalizer {
        guard let value = json["normalizer"], !value.isNull else { return .none }
        let type = value["type"]?.string ?? "?"
        switch type {
        case "NFC":
            return .nfc
        case "BertNormalizer":
            let lowercases = value["lowercase"]?.bool ?? true
            return .bert(BertNormalizer(
                cleansText: value["clean_text"]?.bool ?? true,
                separatesChineseCharacters: value["handle_chinese_chars"]?.bool ?? true,
                stripsAccents: value["strip_accents"]?.bool,
                lowercases: lowercases))
        case "Sequence":
            let parts = value["normalizers"]?.array ?? []
            if parts.isEmpty { return .none }
            if parts.count == 1 { return try normalizer(.object([("normalizer", parts[0])]), file: file) }
            throw TokenizerError.unsupported(file: file, what: "a normalizer Sequence of \(parts.count) normalizers")
        default:
            throw TokenizerError.unsupported(file: file, what: "normalizer \(type)")
        }
    }

    /// The ids the `post_processor` puts around a single sequence.
    static func specialTokens(_ json: TokenizerJSONValue, file: String) throws -> TokenizerSpecialTokens {
        guard let value = json["post_processor"], !value.isNull else { return .none }
        return try specialTokens(processor: value, file: file)
    }

    private static func specialTokens(processor value: TokenizerJSONValue, file: String) throws -> TokenizerSpecialTokens {
        let type = value["type"]?.string ?? "?"
        switch type {
        case "ByteLevel":
            return .none
        case "BertProcessing", "RobertaProcessing":
            guard let cls = value["cls"]?.array?.last?.integer, let sep = value["sep"]?.array?.last?.integer else {
                throw TokenizerError.malformed(file: file, reason: "\(type) needs \"cls\" and \"sep\" as [token, id]")
            }
            return TokenizerSpecialTokens(prefix: [cls], suffix: [sep])
        case "TemplateProcessing":
            return try templateSpecialTokens(value, file: file)
        case "Sequence":
            var result = TokenizerSpecialTokens.none
            for processor in value["processors"]?.array ?? [] {
                let next = try specialTokens(processor: processor, file: file)
                result = TokenizerSpecialTokens(prefix: next.prefix + result.prefix, suffix: result.suffix + next.suffix)
            }
            return result
        default:
            throw TokenizerError.unsupported(file: file, what: "post-processor \(type)")
        }
    }

    /// `TemplateProcessing.single`: special tokens before the `A` sequence make the prefix, after it the suffix.
    private static func templateSpecialTokens(_ value: TokenizerJSONValue, file: String) throws -> TokenizerSpecialTokens {
        guard let single = value["single"]?.array else {
            throw TokenizerError.malformed(file: file, reason: "TemplateProcessing has no \"single\" template")
        }
        var prefix: [Int] = [], suffix: [Int] = []
        var seenSequence = false
        for piece in single {
            if piece["Sequence"] != nil {
                seenSequence = true
                continue
            }
            guard let name = piece["SpecialToken"]?["id"]?.string else {
                throw TokenizerError.malformed(file: file, reason: "TemplateProcessing piece is neither SpecialToken nor Sequence")
            }
            guard let ids = value["special_tokens"]?[name]?["ids"]?.array?.compactMap(\.integer) else {
                throw TokenizerError.malformed(file: file, reason: "TemplateProcessing special token \(name.debugDescription) has no ids")
            }
            if seenSequence { suffix += ids } else { prefix += ids }
        }
        return TokenizerSpecialTokens(prefix: prefix, suffix: suffix)
    }
}
