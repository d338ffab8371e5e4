extension ByteLevelPreTokenizer.Step {
    /// The regular expression a `Split` pre-tokenizer gives for this step (nil for `Digits`).
    var splitPattern: String? {
        switch self {
        case .digits: return nil
        case .gpt2Pattern:
            return #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
        case .llama3Pattern:
            return #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        case .qwen2Pattern:
            return #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        }
    }

    /// The step as a `Digits` or isolated `Split` pre-tokenizer.
    var tokenizerJSON: TokenizerJSONValue {
        switch self {
        case .digits(let individual):
            return .object([("type", .string("Digits")), ("individual_digits", .bool(individual))])
        default:
            return .object([
                ("type", .string("Split")),
                ("pattern", .object([("Regex", .string(splitPattern!))])),
                ("behavior", .string("Isolated")),
                ("invert", .bool(false)),
            ])
        }
    }
}

extension ByteLevelPreTokenizer {
    /// The `pre_tokenizer` of a tokenizer.json: the steps in order, ending with `ByteLevel`, which maps
    /// bytes to the alphabet and, when the last step is GPT-2's pattern, applies it (`use_regex`).
    /// GPT-2 is `ByteLevel` alone; SmolLM2 `Sequence[Digits, ByteLevel]`; Llama-3 `Sequence[Split, ByteLevel]`.
    /// A prefix space is only expressible before GPT-2's pattern alone (`ByteLevel(add_prefix_space)` adds
    /// it to every piece it is given, not once per text).
    func tokenizerJSON(source: String) throws -> TokenizerJSONValue {
        var parts: [TokenizerJSONValue] = []
        if addsPrefixSpace {
            guard steps == [.gpt2Pattern] else {
                throw TokenizerWriteError.noExactEquivalent(
                    source: source, reason: "a prefix space with pre-tokenizer steps other than GPT-2's pattern alone")
            }
            parts = [Self.byteLevel(addsPrefixSpace: true, usesRegex: true)]
        } else if steps.last == .gpt2Pattern {
            parts = steps.dropLast().map(\.tokenizerJSON) + [Self.byteLevel(addsPrefixSpace: false, usesRegex: true)]
        } else {
            parts = steps.map(\.tokenizerJSON) + [Self.byteLevel(addsPrefixSpace: false, usesRegex: false)]
        }
        if parts.count == 1 { return parts[0] }
        return .object([("type", .string("Sequence")), ("pretokenizers", .array(parts))])
    }

    /// `ByteLevel` as a pre-tokenizer (`trim_offsets` only affects offsets).
    static func byteLevel(addsPrefixSpace: Bool, usesRegex: Bool) -> TokenizerJSONValue {
        .object([
            ("type", .string("ByteLevel")),
            ("add_prefix_space", .bool(addsPrefixSpace)),
            ("trim_offsets", .bool(true)),
            ("use_regex", .bool(usesRegex)),
        ])
    }
}
