/// A GGUF file's tokenizer (`tokenizer.ggml.*` and `tokenizer.chat_template`) as plain Swift values,
/// for the tokenizer code to build a tokenizer from.
public struct GGUFTokenizerMetadata: Sendable, Equatable {
    /// `tokenizer.ggml.model`: `gpt2` (byte-level BPE), `llama` (SentencePiece), ...
    public var model: String
    /// `tokenizer.ggml.pre`: the pre-tokenizer's name (e.g. `smollm`, `llama-bpe`), if given.
    public var preTokenizer: String?
    /// `tokenizer.ggml.tokens`: the vocabulary, by id.
    public var tokens: [String]
    /// `tokenizer.ggml.merges`: BPE merges `"a b"`, highest priority first (empty if absent).
    public var merges: [String]
    /// `tokenizer.ggml.token_type`, by id (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused,
    /// 6 byte); empty if absent.
    public var tokenTypes: [Int]
    /// `tokenizer.ggml.scores`, by id (SentencePiece log-probabilities); empty if absent.
    public var scores: [Float]
    /// Special token ids, where given.
    public var bosTokenID: Int?, eosTokenID: Int?, padTokenID: Int?, unknownTokenID: Int?, eotTokenID: Int?
    /// Whether to add BOS / EOS when encoding, and a space before the first word (SentencePiece).
    public var addBOS: Bool?, addEOS: Bool?, addSpacePrefix: Bool?
    /// `tokenizer.chat_template` (Jinja), if given.
    public var chatTemplate: String?

    /// Creates tokenizer metadata from values.
    public init(model: String, preTokenizer: String? = nil, tokens: [String], merges: [String] = [],
                tokenTypes: [Int] = [], scores: [Float] = [], bosTokenID: Int? = nil, eosTokenID: Int? = nil,
                padTokenID: Int? = nil, unknownTokenID: Int? = nil, eotTokenID: Int? = nil, addBOS: Bool? = nil,
                addEOS: Bool? = nil, addSpacePrefix: Bool? = nil, chatTemplate: String? = nil) {
        self.model = model; self.preTokenizer = preTokenizer; self.tokens = tokens; self.merges = merges
        self.tokenTypes = tokenTypes; self.scores = scores; self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID; self.padTokenID = padTokenID; self.unknownTokenID = unknownTokenID
        self.eotTokenID = eotTokenID; self.addBOS = addBOS; self.addEOS = addEOS
        self.addSpacePrefix = addSpacePrefix; self.chatTemplate = chatTemplate
    }

    /// Reads the tokenizer of `file`; `tokenizer.ggml.model` and `tokenizer.ggml.tokens` are required,
    /// and per-token arrays must have one entry per token.
    public init(file: GGUFFile) throws {
        let t = "tokenizer.ggml."
        guard let tokens = try file.optionalStringArray(t + "tokens") else {
            throw GGUFError.missingKey(file: file.path, key: t + "tokens")
        }
        self.init(
            model: try file.string(t + "model"), preTokenizer: try file.optionalString(t + "pre"), tokens: tokens,
            merges: try file.optionalStringArray(t + "merges") ?? [],
            tokenTypes: try file.optionalIntArray(t + "token_type") ?? [],
            scores: try file.optionalFloatArray(t + "scores") ?? [],
            bosTokenID: try file.optionalInt(t + "bos_token_id"), eosTokenID: try file.optionalInt(t + "eos_token_id"),
            padTokenID: try file.optionalInt(t + "padding_token_id"),
            unknownTokenID: try file.optionalInt(t + "unknown_token_id"),
            eotTokenID: try file.optionalInt(t + "eot_token_id"),
            addBOS: try file.optionalBool(t + "add_bos_token"), addEOS: try file.optionalBool(t + "add_eos_token"),
            addSpacePrefix: try file.optionalBool(t + "add_space_prefix"),
            chatTemplate: try file.optionalString("tokenizer.chat_template"))
        for (key, count) in [("token_type", tokenTypes.count), ("scores", scores.count)] where count != 0 && count != tokens.count {
            throw GGUFError.invalidMetadata(file: file.path, key: t + key,
                                            reason: "\(count) entries for \(tokens.count) tokens")
        }
    }
}
