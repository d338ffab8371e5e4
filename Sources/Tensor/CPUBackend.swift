/// The CPU backend: OpenBLAS for matrix products, SIMD Swift loops over `Parallel` for the rest.
public final class CPUBackend: Backend {
    /// The process-wide CPU backend.
    public static let shared = CPUBackend()

    public var name: String { "cpu" }

    /// A CPU backend; the first one applies the default thread settings (see `Runtime`).
    public init() { Runtime.configureDefaultsIfNeeded() }

    public func makeBuffer(count: Int) -> FloatBuffer { FloatBuffer(count: count) }
    public func zero(_ p: FloatPointer, count: Int) { p.update(repeating: 0, count: count) }
    public func copy(from: FloatPointer, to: FloatPointer, count: Int) { to.update(from: from, count: count) }
    public func fill(_ p: FloatPointer, count: Int, value: Float) { p.update(repeating: value, count: count) }
    public func makeTokenBuffer(count: Int) -> TokenBuffer { TokenBuffer(count: count) }
    public func upload(_ source: UnsafeBufferPointer<Float>, to destination: FloatPointer) {
        if let base = source.baseAddress { destination.update(from: base, count: source.count) }
    }
    public func upload(_ source: UnsafeBufferPointer<Int32>, to destination: TokenPointer) {
        if let base = source.baseAddress { destination.update(from: base, count: source.count) }
    }
    public func download(_ source: FloatPointer, into destination: UnsafeMutableBufferPointer<Float>) {
        if let base = destination.baseAddress { base.update(from: source, count: destination.count) }
    }

    public func matmulForward(out: FloatPointer, input: FloatPointer, weight: FloatPointer, bias: FloatPointer?,
                              rows: Int, inFeatures: Int, outFeatures: Int) {
        CPUKernels.matmulForward(out: out, input: input, weight: weight, bias: bias, rows: rows,
                                 inFeatures: inFeatures, outFeatures: outFeatures)
    }

    public func packedWeightCount(inFeatures: Int, outFeatures: Int) -> Int {
        CPUKernels.packedPanelCount(inFeatures: inFeatures, outFeatures: outFeatures)
    }

    public func packWeight(_ weight: FloatPointer, into packed: FloatPointer, inFeatures: Int, outFeatures: Int) {
        CPUKernels.packPanels(weight: weight, into: packed, inFeatures: inFeatures, outFeatures: outFeatures)
    }

    public func packedMatmulForward(out: FloatPointer, input: FloatPointer, packed: FloatPointer, bias: FloatPointer?,
                                    rows: Int, inFeatures: Int, outFeatures: Int) {
        CPUKernels.panelMatmulForward(out: out, input: input, panels: packed, bias: bias, rows: rows,
                                      inFeatures: inFeatures, outFeatures: outFeatures)
    }

    public func matmulBackward(dInput: FloatPointer?, dWeight: FloatPointer?, dBias: FloatPointer?, dOut: FloatPointer,
                               input: FloatPointer, weight: FloatPointer, rows: Int, inFeatures: Int,
                               outFeatures: Int, accumulateInput: Bool) {
        CPUKernels.matmulBackward(dInput: dInput, dWeight: dWeight, dBias: dBias, dOut: dOut, input: input,
                                  weight: weight, rows: rows, inFeatures: inFeatures, outFeatures: outFeatures,
                                  accumulateInput: accumulateInput)
    }

    public func embeddingForward(out: FloatPointer, ids: TokenPointer, table: FloatPointer, rows: Int,
                                 channels: Int, accumulate: Bool) {
        CPUKernels.embeddingForward(out: out, ids: ids, table: table, rows: rows, channels: channels,
                                    accumulate: accumulate)
    }

    public func embeddingBackward(dTable: FloatPointer, dOut: FloatPointer, ids: TokenPointer, rows: Int, channels: Int) {
        CPUKernels.embeddingBackward(dTable: dTable, dOut: dOut, ids: ids, rows: rows, channels: channels)
    }

    public func add(out: FloatPointer, _ a: FloatPointer, _ b: FloatPointer, count: Int) {
        CPUKernels.add(out: out, a, b, count: count)
    }

    public func geluForward(out: FloatPointer, input: FloatPointer, count: Int) {
        CPUKernels.geluForward(out: out, input: input, count: count)
    }

    public func geluBackward(dInput: FloatPointer, dOut: FloatPointer, input: FloatPointer, count: Int) {
        CPUKernels.geluBackward(dInput: dInput, dOut: dOut, input: input, count: count)
    }
    public func geluErfForward(out: FloatPointer, input: FloatPointer, count: Int) {
        CPUKernels.geluErfForward(out: out, input: input, count: count)
    }
    public func geluErfBackward(dInput: FloatPointer, dOut: FloatPointer, input: FloatPointer, count: Int) {
        CPUKernels.geluErfBackward(dInput: dInput, dOut: dOut, input: input, count: count)
    }

    public func swigluForward(out: FloatPointer, gateUp: FloatPointer, rows: Int, hidden: Int) {
        CPUKernels.swigluForward(out: out, gateUp: gateUp, rows: rows, hidden: hidden)
    }

    public func swigluBackward(dGateUp: FloatPointer, dOut: FloatPointer, gateUp: FloatPointer, rows: Int, hidden: Int) {
        CPUKernels.swigluBackward(dGateUp: dGateUp, dOut: dOut, gateUp: gateUp, rows: rows, hidden: hidden)
    }

    public func layerNormForward(out: FloatPointer, mean: FloatPointer, rstd: FloatPointer, input: FloatPointer,
                                 weight: FloatPointer, bias: FloatPointer, rows: Int, channels: Int, eps: Float) {
        CPUKernels.layerNormForward(out: out, mean: mean, rstd: rstd, input: input, weight: weight, bias: bias,
                                    rows: rows, channels: channels, eps: eps)
    }

    public func layerNormBackward(dInput: FloatPointer, dWeight: FloatPointer, dBias: FloatPointer, dOut: FloatPointer,
                                  input: FloatPointer, weight: FloatPointer, mean: FloatPointer, rstd: FloatPointer,
                                  rows: Int, channels: Int) {
        CPUKernels.layerNormBackward(dInput: dInput, dWeight: dWeight, dBias: dBias, dOut: dOut, input: input,
                                     weight: weight, mean: mean, rstd: rstd, rows: rows, channels: channels)
    }

    public func rmsNormForward(out: FloatPointer, rstd: FloatPointer, input: FloatPointer, weight: FloatPointer,
                               rows: Int, channels: Int, eps: Float) {
        CPUKernels.rmsNormForward(out: out, rstd: rstd, input: input, weight: weight, rows: rows,
                                  channels: channels, eps: eps)
    }

    public func rmsNormBackward(dInput: FloatPointer, dWeight: FloatPointer, dOut: FloatPointer, input: FloatPointer,
                                weight: FloatPointer, rstd: FloatPointer, rows: Int, channels: Int) {
        CPUKernels.rmsNormBackward(dInput: dInput, dWeight: dWeight, dOut: dOut, input: input, weight: weight,
                                   rstd: rstd, rows: rows, channels: channels)
    }

    public func rope(_ x: FloatPointer, positions: TokenPointer, table: RotaryTable, rows: Int, heads: Int,
                     headDim: Int, rowStride: Int, inverse: Bool) {
        CPUKernels.rope(x, positions: positions, table: table, rows: rows, heads: heads, headDim: headDim,
                        rowStride: rowStride, inverse: inverse)
    }

    public func attentionForward(out: FloatPointer, att: FloatPointer, qkv: FloatPointer, keyMask: FloatPointer?,
                                 shape: AttentionShape) {
        CPUKernels.attentionForward(out: out, att: att, qkv: qkv, keyMask: keyMask, shape: shape)
    }

    public func attentionBackward(dQKV: FloatPointer, dOut: FloatPointer, qkv: FloatPointer, att: FloatPointer,
                                  scratch: FloatPointer, shape: AttentionShape) {
        CPUKernels.attentionBackward(dQKV: dQKV, dOut: dOut, qkv: qkv, att: att, scratch: scratch, shape: shape)
    }

    public func cachedAttention(out: FloatPointer, qkv: FloatPointer, cache: KVCacheSlot, shape: AttentionShape) {
        CPUKernels.cachedAttention(out: out, qkv: qkv, cache: cache, shape: shape)
    }

    public func crossEntropyForward(losses: FloatPointer, logSumExp: FloatPointer, logits: FloatPointer,
                                    targets: TokenPointer, rows: Int, vocab: Int) {
        CPUKernels.crossEntropyForward(losses: losses, logSumExp: logSumExp, logits: logits, targets: targets,
                                       rows: rows, vocab: vocab)
    }

    public func crossEntropyBackward(dLogits: FloatPointer, logits: FloatPointer, logSumExp: FloatPointer,
                                     targets: TokenPointer, dLoss: FloatPointer, rows: Int, vocab: Int) {
        CPUKernels.crossEntropyBackward(dLogits: dLogits, logits: logits, logSumExp: logSumExp, targets: targets,
                                        dLoss: dLoss, rows: rows, vocab: vocab)
    }

    public func logSoftmaxGather(out: FloatPointer, logits: FloatPointer, targets: TokenPointer, rows: Int, vocab: Int) {
        CPUKernels.logSoftmaxGather(out: out, logits: logits, targets: targets, rows: rows, vocab: vocab)
    }

    public func tokenLogProbsForward(logProbs: FloatPointer, entropy: FloatPointer?, logits: FloatPointer,
                                     targets: TokenPointer, rows: Int, vocab: Int, temperature: Float) {
        CPUKernels.tokenLogProbsForward(logProbs: logProbs, entropy: entropy, logits: logits, targets: targets,
                                        rows: rows, vocab: vocab, temperature: temperature)
    }

    public func tokenLogProbsBackward(dLogits: FloatPointer, logits: FloatPointer, targets: TokenPointer,
                                      dLogProbs: FloatPointer?, dEntropy: FloatPointer?, rows: Int, vocab: Int,
                                      temperature: Float) {
        CPUKernels.tokenLogProbsBackward(dLogits: dLogits, logits: logits, targets: targets, dLogProbs: dLogProbs,
                                         dEntropy: dEntropy, rows: rows, vocab: vocab, temperature: temperature)
    }

    public func sampleTokens(logits: FloatPointer, scratch: FloatPointer, rows: [Int], vocab: Int, rule: SamplingRule,
                             streams: inout [SplitMix64]) -> [SampledToken] {
        CPUKernels.sampleTokens(logits: logits, scratch: scratch, rows: rows, vocab: vocab, rule: rule, streams: &streams)
    }

    public func adamWStep(parameters: FloatPointer, gradients: FloatPointer, firstMoment: FloatPointer,
                          secondMoment: FloatPointer, count: Int, segments: [OptimizerSegment], scalars: [AdamWScalars]) {
        CPUKernels.adamWStep(parameters: parameters, gradients: gradients, firstMoment: firstMoment,
                             secondMoment: secondMoment, count: count, segments: segments, scalars: scalars)
    }

    public func sumOfSquares(_ x: FloatPointer, count: Int) -> Double { CPUKernels.sumOfSquares(x, count: count) }

    public func scale(_ x: FloatPointer, count: Int, by factor: Float) { CPUKernels.scale(x, count: count, by: factor) }
}

/// CPU implementations of the `Backend` kernels, one file per kernel family under `Kernels/`.
enum CPUKernels {}
