/// Shape letters used in every kernel comment (llm.c style):
/// `N` rows (= B·T tokens), `C` channels, `V` vocabulary, `F` feed-forward width,
/// `B` batch, `T` sequence length, `H` query heads, `KV` key/value heads, `D` head dimension.
///
/// Pointers are addresses in the backend's memory: host memory for `CPUBackend`, device memory for a
/// GPU backend. Models only ever talk to a `Backend`, so a new backend needs no change to the models.
///
/// Gradient conventions: parameter gradients (`dWeight`, `dBias`, `dTable`) are always accumulated
/// (`+=`); input gradients say in their comment whether they are overwritten (`=`) or accumulated (`+=`).
public typealias FloatPointer = UnsafeMutablePointer<Float>
/// Token ids and positions on the backend.
public typealias TokenPointer = UnsafeMutablePointer<Int32>

/// The compute seam between the models and a device (CPU today; CUDA later).
public protocol Backend: AnyObject, Sendable {
    /// A short name for logs (`cpu`, `cuda:0`).
    var name: String { get }
    /// Whether the backend's buffers are host memory the CPU may read and write directly (the CPU
    /// backend's); otherwise host code goes through `upload` and `download` only.
    var sharesHostMemory: Bool { get }
    /// Bytes of the backend's own memory when it is not the host's (a GPU's), which the checks on work sizes
    /// hold a batch to; nil for host memory.
    var deviceMemoryBytes: Int? { get }

    // MARK: memory
    /// A zeroed buffer of `count` floats owned by the backend.
    func makeBuffer(count: Int) -> FloatBuffer
    /// Sets `count` floats at `p` to zero.
    func zero(_ p: FloatPointer, count: Int)
    /// Copies `count` floats.
    func copy(from: FloatPointer, to: FloatPointer, count: Int)
    /// Sets `count` floats at `p` to `value`.
    func fill(_ p: FloatPointer, count: Int, value: Float)
    /// A zeroed buffer of `count` token ids (ids, positions, targets) owned by the backend.
    func makeTokenBuffer(count: Int) -> TokenBuffer
    /// Copies host floats into backend memory at `destination`.
    func upload(_ source: UnsafeBufferPointer<Float>, to destination: FloatPointer)
    /// Copies host token ids into backend memory at `destination`.
    func upload(_ source: UnsafeBufferPointer<Int32>, to destination: TokenPointer)
    /// Copies `destination.count` floats from backend memory at `source` to the host.
    func download(_ source: FloatPointer, into destination: UnsafeMutableBufferPointer<Float>)

    // MARK: dense layers
    /// out[N,OC] = input[N,C] · weight[OC,C]ᵀ (+ bias[OC]).
    func matmulForward(out: FloatPointer, input: FloatPointer, weight: FloatPointer, bias: FloatPointer?,
                       rows: Int, inFeatures: Int, outFeatures: Int)
    /// dInput[N,C] (= or += per `accumulateInput`), dWeight[OC,C] +=, dBias[OC] +=, from dOut[N,OC].
    func matmulBackward(dInput: FloatPointer?, dWeight: FloatPointer?, dBias: FloatPointer?, dOut: FloatPointer,
                        input: FloatPointer, weight: FloatPointer, rows: Int, inFeatures: Int, outFeatures: Int,
                        accumulateInput: Bool)

    // MARK: packed weights (repeated products with the same weight and few rows: generation)
    /// Floats a weight[OC,C] takes in the backend's packed layout.
    func packedWeightCount(inFeatures: Int, outFeatures: Int) -> Int
    /// Writes weight[OC,C] into `packed` (`packedWeightCount` floats) in the backend's packed layout.
    func packWeight(_ weight: FloatPointer, into packed: FloatPointer, inFeatures: Int, outFeatures: Int)
    /// out[N,OC] = input[N,C] · weightᵀ (+ bias[OC]) with the weight as `packWeight` left it.
    func packedMatmulForward(out: FloatPointer, input: FloatPointer, packed: FloatPointer, bias: FloatPointer?,
                             rows: Int, inFeatures: Int, outFeatures: Int)

    // MARK: embeddings
    /// out[N,C] = table[ids[n]] (or += when `accumulate`).
    func embeddingForward(out: FloatPointer, ids: TokenPointer, table: FloatPointer, rows: Int, channels: Int,
                          accumulate: Bool)
    /// dTable[V,C] += scatter of dOut[N,C] by ids.
    func embeddingBackward(dTable: FloatPointer, dOut: FloatPointer, ids: TokenPointer, rows: Int, channels: Int)

    // MARK: element-wise
    /// out[n] = a[n] + b[n] (out may alias a or b).
    func add(out: FloatPointer, _ a: FloatPointer, _ b: FloatPointer, count: Int)
    /// out[n, 0..<columns] += source[n, 0..<columns] for n in 0..<rows, the rows of `out` `outStride`
    /// floats apart and those of `source` packed (a LoRA delta added to a row block of a fused output).
    func addColumns(out: FloatPointer, outStride: Int, source: FloatPointer, rows: Int, columns: Int)
    /// out[n, 0..<columns] (=) source[n, 0..<columns] for n in 0..<rows, the rows of `source`
    /// `sourceStride` floats apart and those of `out` packed (a column block of a fused gradient).
    func copyColumns(out: FloatPointer, source: FloatPointer, sourceStride: Int, rows: Int, columns: Int)
    /// out[n] = gelu_tanh(input[n]).
    func geluForward(out: FloatPointer, input: FloatPointer, count: Int)
    /// dInput[n] = gelu'(input[n]) · dOut[n] (=; may alias dOut).
    func geluBackward(dInput: FloatPointer, dOut: FloatPointer, input: FloatPointer, count: Int)
    /// out[n] = input[n]·Φ(input[n]): the exact (erf) GELU of BERT's `gelu`.
    func geluErfForward(out: FloatPointer, input: FloatPointer, count: Int)
    /// dInput[n] = (Φ(x) + x·φ(x)) · dOut[n] with x = input[n] (=; may alias dOut).
    func geluErfBackward(dInput: FloatPointer, dOut: FloatPointer, input: FloatPointer, count: Int)
    /// out[N,F] = silu(gateUp[N, 0..<F]) · gateUp[N, F..<2F].
    func swigluForward(out: FloatPointer, gateUp: FloatPointer, rows: Int, hidden: Int)
    /// dGateUp[N,2F] (=) from dOut[N,F].
    func swigluBackward(dGateUp: FloatPointer, dOut: FloatPointer, gateUp: FloatPointer, rows: Int, hidden: Int)

    // MARK: normalisation
    /// out[N,C] = (x - mean) · rstd · weight + bias; saves mean[N], rstd[N].
    func layerNormForward(out: FloatPointer, mean: FloatPointer, rstd: FloatPointer, input: FloatPointer,
                          weight: FloatPointer, bias: FloatPointer, rows: Int, channels: Int, eps: Float)
    /// dInput[N,C] +=, dWeight[C] +=, dBias[C] +=.
    func layerNormBackward(dInput: FloatPointer, dWeight: FloatPointer, dBias: FloatPointer, dOut: FloatPointer,
                           input: FloatPointer, weight: FloatPointer, mean: FloatPointer, rstd: FloatPointer,
                           rows: Int, channels: Int)
    /// out[N,C] = x · rstd · weight with rstd = 1/sqrt(mean(x²) + eps); saves rstd[N].
    func rmsNormForward(out: FloatPointer, rstd: FloatPointer, input: FloatPointer, weight: FloatPointer,
                        rows: Int, channels: Int, eps: Float)
    /// dInput[N,C] +=, dWeight[C] +=.
    func rmsNormBackward(dInput: FloatPointer, dWeight: FloatPointer, dOut: FloatPointer, input: FloatPointer,
                         weight: FloatPointer, rstd: FloatPointer, rows: Int, channels: Int)

    // MARK: attention
    /// Rotates, in place, `heads` vectors of size D per row of x (row n starts at x + n·rowStride) by the
    /// angles of positions[n] (Hugging Face "rotate_half" pairing (i, i + D/2)); `inverse` rotates back
    /// (the backward pass).
    func rope(_ x: FloatPointer, positions: TokenPointer, table: RotaryTable, rows: Int, heads: Int,
              headDim: Int, rowStride: Int, inverse: Bool)
    /// Multi-head attention with grouped key/value heads, causal or bidirectional as `shape.causal` says.
    /// qkv[B,T,(H+2KV)·D] → out[B,T,H·D]; saves probabilities att[B,H,T,T].
    /// keyMask[B,T] (1 = real token, 0 = padding) or nil.
    func attentionForward(out: FloatPointer, att: FloatPointer, qkv: FloatPointer, keyMask: FloatPointer?,
                          shape: AttentionShape)
    /// dQKV[B,T,(H+2KV)·D] (=) from dOut[B,T,H·D]; `scratch` holds B·H·T·T floats.
    func attentionBackward(dQKV: FloatPointer, dOut: FloatPointer, qkv: FloatPointer, att: FloatPointer,
                           scratch: FloatPointer, shape: AttentionShape)

    /// Incremental attention for generation: appends the k/v heads of qkv[B,Tn,(H+2KV)·D] to the cache at
    /// positions past..<past+Tn, then attends each new query to cached keys 0...(past + its index)
    /// whose mask is 1 (the caller has written the new tokens' mask). out[B,Tn,H·D]. `shape.length` = Tn.
    func cachedAttention(out: FloatPointer, qkv: FloatPointer, cache: KVCacheSlot, shape: AttentionShape)

    // MARK: losses
    /// losses[N] = -log softmax(logits[n])[targets[n]] (0 where targets[n] < 0); saves logSumExp[N].
    func crossEntropyForward(losses: FloatPointer, logSumExp: FloatPointer, logits: FloatPointer,
                             targets: TokenPointer, rows: Int, vocab: Int)
    /// dLogits[N,V] (=; may alias logits) = (softmax - onehot) · dLoss[n]; zero where targets[n] < 0.
    func crossEntropyBackward(dLogits: FloatPointer, logits: FloatPointer, logSumExp: FloatPointer,
                              targets: TokenPointer, dLoss: FloatPointer, rows: Int, vocab: Int)
    /// out[N] = log softmax(logits[n])[targets[n]].
    func logSoftmaxGather(out: FloatPointer, logits: FloatPointer, targets: TokenPointer, rows: Int, vocab: Int)

    // MARK: log-probabilities at a temperature (policy-gradient and DPO losses)
    /// logProbs[N] = log softmax(logits[n] / T)[targets[n]] (0 where targets[n] < 0); entropy[N] of
    /// softmax(logits[n] / T) when non-nil. Exactly the distribution the sampler draws from at T.
    func tokenLogProbsForward(logProbs: FloatPointer, entropy: FloatPointer?, logits: FloatPointer,
                              targets: TokenPointer, rows: Int, vocab: Int, temperature: Float)
    /// dLogits[N,V] (=; may alias logits) from d loss / d logProbs[N] and d loss / d entropy[N] (either nil).
    func tokenLogProbsBackward(dLogits: FloatPointer, logits: FloatPointer, targets: TokenPointer,
                               dLogProbs: FloatPointer?, dEntropy: FloatPointer?, rows: Int, vocab: Int,
                               temperature: Float)

    // MARK: sampling
    /// One token for each row index in `rows` of logits[B,V] by `rule`; row b draws from `streams[b]`
    /// (advanced in place). scratch[B,V] is backend memory the call may overwrite. Results follow `rows`.
    func sampleTokens(logits: FloatPointer, scratch: FloatPointer, rows: [Int], vocab: Int, rule: SamplingRule,
                      streams: inout [SplitMix64]) -> [SampledToken]

    // MARK: optimizer
    /// One AdamW step over flat parameters, gradients and moments (each [count], same layout); each
    /// segment steps with `scalars[segment.scalarsIndex]`. Floats outside every segment are untouched.
    func adamWStep(parameters: FloatPointer, gradients: FloatPointer, firstMoment: FloatPointer,
                   secondMoment: FloatPointer, count: Int, segments: [OptimizerSegment], scalars: [AdamWScalars])
    /// Σ x² over x[count], accumulated in Double.
    func sumOfSquares(_ x: FloatPointer, count: Int) -> Double
    /// x[count] *= factor.
    func scale(_ x: FloatPointer, count: Int, by factor: Float)
}

/// Shape of one attention call. Keys/values for query head h come from KV head h / (H / KV).
public struct AttentionShape: Sendable, Equatable {
    /// Batch size.
    public var batch: Int
    /// Sequence length.
    public var length: Int
    /// Query heads.
    public var heads: Int
    /// Key/value heads (divides `heads`).
    public var kvHeads: Int
    /// Head dimension.
    public var headDim: Int
    /// Whether query t sees only keys 0...t (a decoder) or every key (an encoder such as BERT).
    public var causal: Bool

    /// Creates a shape.
    public init(batch: Int, length: Int, heads: Int, kvHeads: Int, headDim: Int, causal: Bool = true) {
        self.batch = batch; self.length = length; self.heads = heads; self.kvHeads = kvHeads; self.headDim = headDim
        self.causal = causal
    }
    /// Floats per token in the fused q|k|v row: (H + 2·KV)·D.
    public var qkvStride: Int { (heads + 2 * kvHeads) * headDim }
}

/// One layer's cache as the attention kernel sees it: keys/values [B,KV,P,D], mask [B,P], and how many
/// positions were cached before this call (`past`).
public struct KVCacheSlot {
    /// keys [B,KV,P,D]
    public let keys: FloatPointer
    /// values [B,KV,P,D]
    public let values: FloatPointer
    /// key mask [B,P]: 1 real, 0 padding
    public let mask: FloatPointer
    /// positions already cached
    public let past: Int
    /// capacity P
    public let capacity: Int

    /// Creates a slot view.
    public init(keys: FloatPointer, values: FloatPointer, mask: FloatPointer, past: Int, capacity: Int) {
        self.keys = keys; self.values = values; self.mask = mask; self.past = past; self.capacity = capacity
    }
}
