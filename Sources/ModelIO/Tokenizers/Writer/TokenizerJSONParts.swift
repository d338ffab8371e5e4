/// The parts of a Hugging Face tokenizer.json that every model kind shares, spelled (keys and their
/// order) as `tokenizers` serializes them.
enum TokenizerJSONParts {
    /// The whole document, keys in the order `tokenizers` writes them.
    static func document(addedTokens: [AddedToken], normalizer: TokenizerJSONValue, preTokenizer: TokenizerJSONValue,
                         postProcessor: TokenizerJSONValue, decoder: TokenizerJSONValue,
                         model: TokenizerJSONValue) -> TokenizerJSONValue {
        .object([
            ("version", .string("1.0")),
            ("truncation", .null),
            ("padding", .null),
            ("added_tokens", .array(addedTokens.sorted { $0.id < $1.id }.map(addedToken))),
            ("normalizer", normalizer),
            ("pre_tokenizer", preTokenizer),
            ("post_processor", postProcessor),
            ("decoder", decoder),
            ("model", model),
        ])
    }

    /// One entry of `added_tokens`.
    static func addedToken(_ token: AddedToken) -> TokenizerJSONValue {
        .object([
            ("id", .integer(token.id)),
            ("content", .string(token.content)),
            ("single_word", .bool(token.isSingleWord)),
            ("lstrip", .bool(token.stripsLeft)),
            ("rstrip", .bool(token.stripsRight)),
            ("normalized", .bool(token.isNormalized)),
            ("special", .bool(token.isSpecial)),
        ])
    }

    /// A `BPE` model: `vocabulary` as (spelling, id) in id order, `merges` best first. Merges are written
    /// as "a b" strings, which every version of `tokenizers` reads, unless a part holds a space; then all
    /// are [a, b] pairs.
    static func bpeModel(vocabulary: [(String, Int)], merges: [(String, String)], options: BPEModelOptions) -> TokenizerJSONValue {
        let needsPairs = merges.contains { $0.0.utf8.contains(0x20) || $0.1.utf8.contains(0x20) }
        let mergeValues: [TokenizerJSONValue] = merges.map { left, right in
            needsPairs ? .array([.string(left), .string(right)]) : .string(left + " " + right)
        }
        return .object([
            ("type", .string("BPE")),
            ("dropout", .null),
            ("unk_token", options.unknownToken.map(TokenizerJSONValue.string) ?? .null),
            ("continuing_subword_prefix", .null),
            ("end_of_word_suffix", .null),
            ("fuse_unk", .bool(options.fusesUnknown)),
            ("byte_fallback", .bool(options.usesByteFallback)),
            ("ignore_merges", .bool(options.ignoresMerges)),
            ("vocab", .object(vocabulary.map { ($0.0, TokenizerJSONValue.integer($0.1)) })),
            ("merges", .array(mergeValues)),
        ])
    }

    /// `TemplateProcessing` putting `special.prefix` before and `special.suffix` after each sequence;
    /// `name` spells each id. Throws when an id has no spelling.
    static func templateProcessing(_ special: TokenizerSpecialTokens, name: (Int) -> String?,
                                   source: String) throws -> TokenizerJSONValue {
        var names: [Int: String] = [:]
        for id in special.prefix + special.suffix {
            guard let spelled = name(id) else {
                throw TokenizerWriteError.noExactEquivalent(source: source, reason: "special token id \(id) has no spelling")
            }
            names[id] = spelled
        }
        func piece(_ id: Int, typeID: Int) -> TokenizerJSONValue {
            .object([("SpecialToken", .object([("id", .string(names[id]!)), ("type_id", .integer(typeID))]))])
        }
        func sequence(_ name: String, typeID: Int) -> TokenizerJSONValue {
            .object([("Sequence", .object([("id", .string(name)), ("type_id", .integer(typeID))]))])
        }
        func around(_ name: String, typeID: Int) -> [TokenizerJSONValue] {
            special.prefix.map { piece($0, typeID: typeID) } + [sequence(name, typeID: typeID)]
                + special.suffix.map { piece($0, typeID: typeID) }
        }
        var seen = Set<Int>()
        var entries: [(key: String, value: TokenizerJSONValue)] = []
        for id in special.prefix + special.suffix where seen.insert(id).inserted {
            entries.append((names[id]!, .object([
                ("id", .string(names[id]!)), ("ids", .array([.integer(id)])), ("tokens", .array([.string(names[id]!)])),
            ])))
        }
        return .object([
            ("type", .string("TemplateProcessing")),
            ("single", .array(around("A", typeID: 0))),
            ("pair", .array(around("A", typeID: 0) + around("B", typeID: 1))),
            ("special_tokens", .object(entries)),
        ])
    }
}
