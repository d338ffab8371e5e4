/// The transformer families the runtime implements: two causal decoders and one encoder.
public enum Architecture: String, Sendable, Codable, Equatable {
    /// GPT-2: learned positions, pre-LayerNorm, GELU (tanh), biases everywhere, tied LM head.
    case gpt2
    /// Llama: RMSNorm, rotary positions, SwiGLU, grouped-query attention, no biases.
    case llama
    /// BERT: an encoder with bidirectional attention, learned position and token-type embeddings under a
    /// LayerNorm, post-LayerNorm blocks, the exact (erf) GELU, biases everywhere, and a pooler (dense +
    /// tanh over [CLS]); it has no LM head and reads out through a sequence classifier.
    case bert

    /// Whether attention is causal (a decoder) rather than bidirectional (an encoder).
    public var isCausal: Bool { self != .bert }
}

/// Hyper-parameters of a transformer, in Swift names (ModelIO maps Hugging Face `config.json` onto it).
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
    /// Rows of BERT's token-type embedding (`type_vocab_size`); 0 for the decoders. Every input is type 0.
    public var typeVocabSize: Int

    /// Creates a config; `kvHeads`, `headDim` and `ffnWidth` default to the family's usual values.
    public init(architecture: Architecture, vocabSize: Int, maxPositions: Int, layers: Int, width: Int,
                heads: Int, kvHeads: Int? = nil, headDim: Int? = nil, ffnWidth: Int? = nil,
                normEps: Float = 1e-5, ropeBase: Float = 10_000, tiedEmbeddings: Bool = true,
                bosTokenID: Int? = nil, eosTokenIDs: [Int] = [], typeVocabSize: Int = 0) {
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
        self.typeVocabSize = typeVocabSize
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
    /// all-MiniLM-L6-v2's shape: a BERT encoder of 6 layers, width 384, 12 heads, FFN 1536, vocab 30522.
    public static let bertMiniLM = TransformerConfig(architecture: .bert, vocabSize: 30522, maxPositions: 512, layers: 6,
                                                     width: 384, heads: 12, ffnWidth: 1536, normEps: 1e-12,
                                                     tiedEmbeddings: true, typeVocabSize: 2)
    /// SmolLM2-135M's shape: 30 layers, width 576, 9 heads / 3 KV heads, FFN 1536, vocab 49152, tied.
    public static let llamaSmol = TransformerConfig(architecture: .llama, vocabSize: 49152, maxPositions: 8192,
                                                    layers: 30, width: 576, heads: 9, kvHeads: 3, headDim: 64,
                                                    ffnWidth: 1536, normEps: 1e-5, ropeBase: 100_000,
                                                    tiedEmbeddings: true, bosTokenID: 1, eosTokenIDs: [2])
}
