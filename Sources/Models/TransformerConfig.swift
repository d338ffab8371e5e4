/// The two decoder families the runtime implements.
public enum Architecture: String, Sendable, Codable, Equatable {
    /// GPT-2: learned positions, pre-LayerNorm, GELU (tanh), biases everywhere, tied LM head.
    case gpt2
    /// Llama: RMSNorm, rotary positions, SwiGLU, grouped-query attention, no biases.
    case llama
}

/// Hyper-parameters of a causal decoder, in Swift names (ModelIO maps Hugging Face `config.json` onto it).
public struct TransformerConfig: Sendable, Codable, Equatable {
    /// Decoder family.
    public var architecture: Architecture
    /// Vocabulary size V.
    public var vocabSize: Int
    /// Longest sequence the model accepts (GPT-2's learned position table; Llama's RoPE table).
    public var maxPositions: Int
    /// Number of transformer blocks L.
    public var layers: Int
    /// Model width C.
    public var width: Int
    /// Query heads H.
    public var heads: Int
    /// Key/value heads KV (= H for GPT-2).
    public var kvHeads: Int
    /// Head dimension D (usually C / H).
    public var headDim: Int
    /// Feed-forward width F (4C for GPT-2).
    public var ffnWidth: Int
    /// Epsilon of LayerNorm / RMSNorm.
    public var normEps: Float
    /// RoPE base θ (Llama only).
    public var ropeBase: Float
    /// Whether the LM head reuses the token embedding.
    public var tiedEmbeddings: Bool
    /// Beginning-of-sequence token id, if the model has one.
    public var bosTokenID: Int?
    /// End-of-sequence token ids (generation stops on any).
    public var eosTokenIDs: [Int]

    /// Creates a config; `kvHeads`, `headDim` and `ffnWidth` default to the family's usual values.
    public init(architecture: Architecture, vocabSize: Int, maxPositions: Int, layers: Int, width: Int,
                heads: Int, kvHeads: Int? = nil, headDim: Int? = nil, ffnWidth: Int? = nil,
                normEps: Float = 1e-5, ropeBase: Float = 10_000, tiedEmbeddings: Bool = true,
                bosTokenID: Int? = nil, eosTokenIDs: [Int] = []) {
        self.architecture = architecture
        self.vocabSize = vocabSize
        self.maxPositions = maxPositions
        self.layers = layers
        self.width = width
        self.heads = heads
        self.kvHeads = kvHeads ?? heads
        self.headDim = headDim ?? width / heads
        self.ffnWidth = ffnWidth ?? 4 * width
        self.normEps = normEps
        self.ropeBase = ropeBase
        self.tiedEmbeddings = tiedEmbeddings
        self.bosTokenID = bosTokenID
        self.eosTokenIDs = eosTokenIDs
    }

    /// Floats in one token's fused q|k|v projection: (H + 2·KV)·D.
    public var qkvWidth: Int { (heads + 2 * kvHeads) * headDim }
    /// Floats in one token's attention output before the projection: H·D.
    public var attentionWidth: Int { heads * headDim }
}

extension TransformerConfig {
    /// GPT-2 small (124M): 12 layers, width 768, 12 heads, vocab 50257.
    public static let gpt2Small = TransformerConfig(architecture: .gpt2, vocabSize: 50257, maxPositions: 1024,
                                                    layers: 12, width: 768, heads: 12,
                                                    bosTokenID: 50256, eosTokenIDs: [50256])
    /// The peer benchmark's `tiny`: 4 layers x 256, vocab 50257.
    public static let gpt2Tiny = TransformerConfig(architecture: .gpt2, vocabSize: 50257, maxPositions: 1024,
                                                   layers: 4, width: 256, heads: 4,
                                                   bosTokenID: 50256, eosTokenIDs: [50256])
    /// SmolLM2-135M's shape: 30 layers, width 576, 9 heads / 3 KV heads, FFN 1536, vocab 49152, tied.
    public static let llamaSmol = TransformerConfig(architecture: .llama, vocabSize: 49152, maxPositions: 8192,
                                                    layers: 30, width: 576, heads: 9, kvHeads: 3, headDim: 64,
                                                    ffnWidth: 1536, normEps: 1e-5, ropeBase: 100_000,
                                                    tiedEmbeddings: true, bosTokenID: 1, eosTokenIDs: [2])
}
