/// The CPU backend: OpenBLAS for matrix products, SIMD Swift loops over `Parallel` for the rest.
public final class CPUBackend: Backend {
    /// The process-wide CPU backend.
    public static let shared = CPUBackend()

    /// A short name for logs (`cpu`, `cuda:0`).
    public var name: String { "cpu" }
    /// Buffers are host memory.
    public var sharesHostMemory: Bool { true }

    /// A CPU backend; the first one applies the default thread settings (see `Runtime`).
    public init() { Runtime.configureDefaultsIfNeeded() }

    /// A zeroed buffer of `count` floats owned by the backend.
    public func makeBuffer(count: Int) -> FloatBuffer { FloatBuffer(count: count) }
    /// Sets `count` floats at `p` to zero.
    public func zero(_ p: FloatPointer, count: Int) { p.update(repeating: 0, count: count) }
    /// Copies `count` floats.
    public func copy(from: FloatPointer, to: FloatPointer, count: Int) { to.update(from: from, count: count) }
    /// Sets `count` floats at `p` to `value`.
    public func fill(_ p: FloatPointer, count: Int, value: Float) { p.update(repeating: value, count: count) }
    /// A zeroed buffer of `count` token ids (ids, positions, targets) owned by the backend.
    public func makeTokenBuffer(count: Int) -> TokenBuffer { TokenBuffer(count: count) }
    /// Copies host floats into backend memory at `destination`.
    public func upload(_ source: UnsafeBufferPointer<Float>, to destination: FloatPointer) {
        if let base = source.baseAddress { destination.update(from: base, count: source.count) }
    }
    /// Copies host token ids into backend memory at `destination`.
    public func upload(_ source: UnsafeBufferPointer<Int32>, to destination: TokenPointer) {
        if let base = source.baseAddress { destination.update(from: base, count: source.count) }
    }
    /// Copies `destination.count` floats from backend memory at `source` to the host.
    public func download(_ source: FloatPointer, into destination: UnsafeMutableBufferPointer<Float>) {
        if let base = destination.baseAddress { base.update(from: source, count: destination.count) }
    }

    /// out[N,OC] = input[N,C] · weight[OC,C]ᵀ (+ bias[OC]).
    public func matmulForward(out: FloatPointer, input: FloatPointer, weight: FloatPointer, bias: FloatPointer?,
                              rows: Int, inFeatures: Int, outFeatures: Int) {
        CPUKernels.matmulForward(out: out, input: input, weight: weight, bias: bias, rows: rows,
                                 inFeatures: inFeatures, outFeatures: outFeatures)
    }

    /// Floats a weight[OC,C] takes in the backend's packed layout.
    public func packedWeightCount(inFeatures: Int, outFeatures: Int) -> Int {
        CPUKernels.packedPanelCount(inFeatures: inFeatures, outFeatures: outFeatures)
    }

    /// Writes weight[OC,C] into `packed` (`packedWeightCount` floats) in the backend's packed layout.
    public func packWeight(_ weight: FloatPointer, into packed: FloatPointer, inFeatures: Int, outFeatures: Int) {
        CPUKernels.packPanels(weight: weight, into: packed, inFeatures: inFeatures, outFeatures: outFeatures)
    }

    /// out[N,OC] = input[N,C] · weightᵀ (+ bias[OC]) with the weight as `packWeight` left it.
    public func packedMatmulForward(out: FloatPointer, input: FloatPointer, packed: FloatPointer, bias: FloatPointer?,
                                    rows: Int, inFeatures: Int, outFeatures: Int) {
        CPUKernels.panelMatmulForward(out: out, input: input, panels: packed, bias: bias, rows: rows,
                                      inFeatures: inFeatures, outFeatures: outFeatures)
    }

    /// dInput[N,C] (= or += per `accumulateInput`), dWeight[OC,C] +=, dBias[OC] +=, from dOut[N,OC].
    public func matmulBackward(dInput: FloatPointer?, dWeight: FloatPointer?, dBias: FloatPointer?, dOut: FloatPointer,
                               input: FloatPointer, weight: FloatPointer, rows: Int, inFeatures: Int,
                               outFeatures: Int, accumulateInput: Bool) {
        CPUKernels.matmulBackward(dInput: dInput, dWeight: dWeight, dBias: dBias, dOut: dOut, input: input,
                                  weight: weight, rows: rows, inFeatures: inFeatures, outFeatures: outFeatures,
                                  accumulateInput: accumulateInput)
    }

    /// out[N,C] = table[ids[n]] (or += when `accumulate`).
    public func embeddingForward(out: FloatPointer, ids: TokenPointer, table: FloatPointer, rows: Int,
                                 channels: Int, accumulate: Bool) {
        CPUKernels.embeddingForward(out: out, ids: ids, table: table, rows: rows, channels: channels,
                                    accumulate: accumulate)
    }

    /// dTable[V,C] += scatter of dOut[N,C] by ids.
    public func embeddingBackward(dTable: FloatPointer, dOut: FloatPointer, ids: TokenPointer, rows: Int, channels: Int) {
        CPUKernels.embeddingBackward(dTable: dTable, dOut: dOut, ids: ids, rows: rows, channels: channels)
    }

    /// out[n] = a[n] + b[n] (out may alias a or b).
    public func add(out: FloatPointer, _ a: FloatPointer, _ b: FloatPointer, count: Int) {
        CPUKernels.add(out: out, a, b, count: count)
    }

    /// out[n] = gelu_tanh(input[n]).
    public func geluForward(out: FloatPointer, input: FloatPointer, count: Int) {
        CPUKernels.geluForward(out: out, input: input, count: count)
    }

    /// dInput[n] = gelu'(input[n]) · dOut[n] (=; may alias dOut).
    public func geluBackward(dInput: FloatPointer, dOut: FloatPointer, input: FloatPointer, count: Int) {
        CPUKernels.geluBackward(dInput: dInput, dOut: dOut, input: input, count: count)
    }
    /// out[n] = input[n]·Φ(input[n]): the exact (erf) GELU of BERT's `gelu`.
    public func geluErfForward(out: FloatPointer, input: FloatPointer, count: Int) {
        CPUKernels.geluErfForward(out: out, input: input, count: count)
    }
    /// dInput[n] = (Φ(x) + x·φ(x)) · dOut[n] with x = input[n] (=; may alias dOut).
    public func geluErfBackward(dInput: FloatPointer, dOut: FloatPointer, input: FloatPointer, count: Int) {
        CPUKernels.geluErfBackward(dInput: dInput, dOut: dOut, input: input, count: count)
    }

    /// out[N,F] = silu(gateUp[N, 0..<F]) · gateUp[N, F..<2F].
    public func swigluForward(out: FloatPointer, gateUp: FloatPointer, rows: Int, hidden: Int) {
        CPUKernels.swigluForward(out: out, gateUp: gateUp, rows: rows, hidden: hidden)
    }

    /// dGateUp[N,2F] (=) from dOut[N,F].
    public func swigluBackward(dGateUp: FloatPointer, dOut: FloatPointer, gateUp: FloatPointer, rows: Int, hidden: Int) {
        CPUKernels.swigluBackward(dGateUp: dGateUp, dOut: dOut, gateUp: gateUp, rows: rows, hidden: hidden)
    }

    /// out[N,C] = (x - mean) · rstd · weight + bias; saves mean[N], rstd[N].
    public func layerNormForward(out: FloatPointer, mean: FloatPointer, rstd: FloatPointer, input: FloatPointer,
                                 weight: FloatPointer, bias: FloatPointer, rows: Int, channels: Int, eps: Float) {
        CPUKernels.layerNormForward(out: out, mean: mean, rstd: rstd, input: input, weight: weight, bias: bias,
                                    rows: rows, channels: channels, eps: eps)
    }

    /// dInput[N,C] +=, dWeight[C] +=, dBias[C] +=.
    public func layerNormBackward(dInput: FloatPointer, dWeight: FloatPointer, dBias: FloatPointer, dOut: FloatPointer,
                                  input: FloatPointer, weight: FloatPointer, mean: FloatPointer, rstd: FloatPointer,
                                  rows: Int, channels: Int) {
        CPUKernels.layerNormBackward(dInput: dInput, dWeight: dWeight, dBias: dBias, dOut: dOut, input: input,
                                     weight: weight, mean: mean, rstd: rstd, rows: rows, channels: channels)
    }

    /// out[N,C] = x · rstd · weight with rstd = 1/sqrt(mean(x²) + eps); saves rstd[N].
    public func rmsNormForward(out: FloatPointer, rstd: FloatPointer, input: FloatPointer, weight: FloatPointer,
                               rows: Int, channels: Int, eps: Float) {
        CPUKernels.rmsNormForward(out: out, rstd: rstd, input: input, weight: weight, rows: rows,
                                  channels: channels, eps: eps)
    }

    /// dInput[N,C] +=, dWeight[C] +=.
    public func rmsNormBackward(dInput: FloatPointer, dWeight: FloatPointer, dOut: FloatPointer, input: FloatPointer,
                                weight: FloatPointer, rstd: FloatPointer, rows: Int, channels: Int) {
        CPUKernels.rmsNormBackward(dInput: dInput, dWeight: dWeight, dOut: dOut, input: input, weight: weight,
                                   rstd: rstd, rows: rows, channels: channels)
    }

    /// Rotates, in place, `heads` vectors of size D per row of x (row n starts at x + n·rowStride) by the
    /// angles of positions[n] (Hugging Face "rotate_half" pairing (i, i + D/2)); `inverse` rotates back
    /// (the backward pass).
    public func rope(_ x: FloatPointer, positions: TokenPointer, table: RotaryTable, rows: Int, heads: Int,
                     headDim: Int, rowStride: Int, inverse: Bool) {
        CPUKernels.rope(x, positions: positions, table: table, rows: rows, heads: heads, headDim: headDim,
                        rowStride: rowStride, inverse: inverse)
    }

    /// Multi-head attention with grouped key/value heads, causal or bidirectional as `shape.causal` says.
    /// qkv[B,T,(H+2KV)·D] → out[B,T,H·D]; saves probabilities att[B,H,T,T].
    /// keyMask[B,T] (1 = real token, 0 = padding) or nil.
    public func attentionForward(out: FloatPointer, att: FloatPointer, qkv: FloatPointer, keyMask: FloatPointer?,
                                 shape: AttentionShape) {
        CPUKernels.attentionForward(out: out, att: att, qkv: qkv, keyMask: keyMask, shape: shape)
    }

    /// dQKV[B,T,(H+2KV)·D] (=) from dOut[B,T,H·D]; `scratch` holds B·H·T·T floats.
    public func attentionBackward(dQKV: FloatPointer, dOut: FloatPointer, qkv: FloatPointer, att: FloatPointer,
                                  scratch: FloatPointer, shape: AttentionShape) {
        CPUKernels.attentionBackward(dQKV: dQKV, dOut: dOut, qkv: qkv, att: att, scratch: scratch, shape: shape)
    }

    /// Incremental attention for generation: appends the k/v heads of qkv[B,Tn,(H+2KV)·D] to the cache at
    /// positions past..<past+Tn, then attends each new query to cached keys 0...(past + its index)
    /// whose mask is 1 (the caller has written the new tokens' mask). out[B,Tn,H·D]. `shape.length` = Tn.
    public func cachedAttention(out: FloatPointer, qkv: FloatPointer, cache: KVCacheSlot, shape: AttentionShape) {
        CPUKernels.cachedAttention(out: out, qkv: qkv, cache: cache, shape: shape)
    }

    /// losses[N] = -log softmax(logits[n])[targets[n]] (0 where targets[n] < 0); saves logSumExp[N].
    public func crossEntropyForward(losses: FloatPointer, logSumExp: FloatPointer, logits: FloatPointer,
                                    targets: TokenPointer, rows: Int, vocab: Int) {
        CPUKernels.crossEntropyForward(losses: losses, logSumExp: logSumExp, logits: logits, targets: targets,
                                       rows: rows, vocab: vocab)
    }

    /// dLogits[N,V] (=; may alias logits) = (softmax - onehot) · dLoss[n]; zero where targets[n] < 0.
    public func crossEntropyBackward(dLogits: FloatPointer, logits: FloatPointer, logSumExp: FloatPointer,
                                     targets: TokenPointer, dLoss: FloatPointer, rows: Int, vocab: Int) {
        CPUKernels.crossEntropyBackward(dLogits: dLogits, logits: logits, logSumExp: logSumExp, targets: targets,
                                        dLoss: dLoss, rows: rows, vocab: vocab)
    }

    /// out[N] = log softmax(logits[n])[targets[n]].
    public func logSoftmaxGather(out: FloatPointer, logits: FloatPointer, targets: TokenPointer, rows: Int, vocab: Int) {
        CPUKernels.logSoftmaxGather(out: out, logits: logits, targets: targets, rows: rows, vocab: vocab)
    }

    /// logProbs[N] = log softmax(logits[n] / T)[targets[n]] (0 where targets[n] < 0); entropy[N] of
    /// softmax(logits[n] / T) when non-nil. Exactly the distribution the sampler draws from at T.
    public func tokenLogProbsForward(logProbs: FloatPointer, entropy: FloatPointer?, logits: FloatPointer,
                                     targets: TokenPointer, rows: Int, vocab: Int, temperature: Float) {
        CPUKernels.tokenLogProbsForward(logProbs: logProbs, entropy: entropy, logits: logits, targets: targets,
                                        rows: rows, vocab: vocab, temperature: temperature)
    }

    /// dLogits[N,V] (=; may alias logits) from d loss / d logProbs[N] and d loss / d entropy[N] (either nil).
    public func tokenLogProbsBackward(dLogits: FloatPointer, logits: FloatPointer, targets: TokenPointer,
                                      dLogProbs: FloatPointer?, dEntropy: FloatPointer?, rows: Int, vocab: Int,
                                      temperature: Float) {
        CPUKernels.tokenLogProbsBackward(dLogits: dLogits, logits: logits, targets: targets, dLogProbs: dLogProbs,
                                         dEntropy: dEntropy, rows: rows, vocab: vocab, temperature: temperature)
    }

    /// One token for each row index in `rows` of logits[B,V] by `rule`; row b draws from `streams[b]`
    /// (advanced in place). scratch[B,V] is backend memory the call may overwrite. Results follow `rows`.
    public func sampleTokens(logits: FloatPointer, scratch: FloatPointer, rows: [Int], vocab: Int, rule: SamplingRule,
                             streams: inout [SplitMix64]) -> [SampledToken] {
        CPUKernels.sampleTokens(logits: logits, scratch: scratch, rows: rows, vocab: vocab, rule: rule, streams: &streams)
    }

    /// One AdamW step over flat parameters, gradients and moments (each [count], same layout); each
    /// segment steps with `scalars[segment.scalarsIndex]`. Floats outside every segment are untouched.
    public func adamWStep(parameters: FloatPointer, gradients: FloatPointer, firstMoment: FloatPointer,
                          secondMoment: FloatPointer, count: Int, segments: [OptimizerSegment], scalars: [AdamWScalars]) {
        CPUKernels.adamWStep(parameters: parameters, gradients: gradients, firstMoment: firstMoment,
                             secondMoment: secondMoment, count: count, segments: segments, scalars: scalars)
    }

    /// Σ x² over x[count], accumulated in Double.
    public func sumOfSquares(_ x: FloatPointer, count: Int) -> Double { CPUKernels.sumOfSquares(x, count: count) }

    /// x[count] *= factor.
    public func scale(_ x: FloatPointer, count: Int, by factor: Float) { CPUKernels.scale(x, count: count, by: factor) }
}

/// CPU implementations of the `Backend` kernels, one file per kernel family under `Kernels/`.
enum CPUKernels {}
