extension ByteLevelBPETokenizer {
    /// Builds the tokenizer of a GGUF whose `tokenizer.ggml.model` is "gpt2", from its metadata as plain
    /// values, as transformers does when it loads a GGUF:
    /// - `ggufTokens`: `tokenizer.ggml.tokens` (id = index); a token with scalars outside the byte-level
    ///   alphabet is respelled from its UTF-8 bytes.
    /// - `merges`: `tokenizer.ggml.merges`, "a b" strings, best first.
    /// - `tokenTypes`: `tokenizer.ggml.token_type`; 3 (control) tokens become special added tokens,
    ///   4 (user-defined) plain added tokens; both are matched whole in text (those spelled outside the
    ///   alphabet are left out, as transformers does).
    /// - `pre`: `tokenizer.ggml.pre`: "gpt2" (GPT-2 pattern), "smollm" (each number alone, then the GPT-2
    ///   pattern: SmolLM2's `Sequence[Digits(individual_digits), ByteLevel]`, which llama.cpp applies as
    ///   `\p{N}` then the GPT-2 pattern; transformers' GGUF loader keeps only ByteLevel, which differs for
    ///   numerals such as "²" that the vocabulary merges with a space), "llama-bpe"/"llama3" (Llama-3
    ///   pattern), "qwen2" and kin (Qwen2 pattern).
    /// - `bos`, `eos`, `unknown`, `padding`: the `*_token_id` keys; `addBOS`/`addEOS`: `add_bos_token` /
    ///   `add_eos_token`, which put BOS before / EOS after each encoded text (SmolLM2 adds neither).
    public init(ggufTokens: [String], merges: [String], tokenTypes: [Int], pre: String, bos: Int?, eos: Int?,
                unknown: Int? = nil, padding: Int? = nil, addBOS: Bool = false, addEOS: Bool = false,
                model: String = "gpt2", source: String = "GGUF tokenizer metadata") throws {
        guard model == "gpt2" else {
            throw TokenizerError.unsupported(file: source, what: "GGUF tokenizer model \(model.debugDescription) (expected \"gpt2\", byte-level BPE)")
        }
        guard tokenTypes.isEmpty || tokenTypes.count == ggufTokens.count else {
            throw TokenizerError.malformed(file: source, reason: "\(tokenTypes.count) token types for \(ggufTokens.count) tokens")
        }
        let preTokenizer = try Self.preTokenizer(ggufPre: pre, source: source)
        let tokens = ggufTokens.map(Self.respelledInAlphabet)
        let mergePairs: [(String, String)] = try merges.enumerated().map { rank, merge in
            guard let space = merge.utf8.firstIndex(of: 0x20) else {
                throw TokenizerError.malformed(file: source, reason: "merge \(rank) \(merge.debugDescription) is not \"a b\"")
            }
            let left = String(merge[..<space]), right = String(merge[merge.utf8.index(after: space)...])
            return (Self.respelledInAlphabet(left), Self.respelledInAlphabet(right))
        }
        var addedTokens: [AddedToken] = []
        for (id, type) in tokenTypes.enumerated() {
            // transformers skips those spelled outside the alphabet (llama.cpp mislabels).
            guard type == 3 || type == 4, ByteLevelAlphabet.isSpelledInAlphabet(ggufTokens[id]) else { continue }
            addedTokens.append(AddedToken(content: ggufTokens[id], id: id, isSpecial: type == 3))
        }
        for (name, id) in [("bos", bos), ("eos", eos), ("unknown", unknown), ("padding", padding)] {
            if let id, !(0..<tokens.count).contains(id) {
                throw TokenizerError.malformed(file: source, reason: "\(name) token id \(id) is outside the \(tokens.count) tokens")
            }
        }
        let specialTokens = TokenizerSpecialTokens(prefix: addBOS ? bos.map { [$0] } ?? [] : [], suffix: addEOS ? eos.map { [$0] } ?? [] : [])
        try self.init(tokens: tokens, merges: mergePairs, addedTokens: addedTokens, preTokenizer: preTokenizer,
                      specialTokens: specialTokens, bosTokenID: bos, eosTokenID: eos, padTokenID: padding,
                      unknownTokenID: unknown, source: source)
    }

    /// The pre-tokenizer a `tokenizer.ggml.pre` value names.
    static func preTokenizer(ggufPre pre: String, source: String) throws -> ByteLevelPreTokenizer {
        switch pre {
        case "gpt2", "gpt-2", "default":
            return .gpt2
        case "smollm":
            return .smolLM2
        case "llama3", "llama-v3", "llama-bpe", "falcon3", "smaug-bpe", "dbrx":
            return .llama3
        case "qwen2", "deepseek-r1-qwen":
            return .qwen2
        default:
            throw TokenizerError.unsupported(file: source, what: "GGUF pre-tokenizer \(pre.debugDescription)")
        }
    }

    /// `token` if it is spelled in the byte-level alphabet, else its UTF-8 bytes spelled in it.
    private static func respelledInAlphabet(_ token: String) -> String {
        ByteLevelAlphabet.isSpelledInAlphabet(token) ? token : ByteLevelAlphabet.spell(token.utf8)
    }
}
