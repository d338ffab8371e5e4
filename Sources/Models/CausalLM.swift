import Tensor

/// A decoder-only language model (GPT-2 or Llama family) over one flat parameter allocation.
///
/// `forward` runs a batch and leaves logits[B,T,V] in the activation arena; `backward` (after a
/// forward with `training: true`) accumulates d loss / d parameter into `parameters.gradients` from
/// per-row upstream gradients of the cross-entropy losses.
public final class CausalLM: @unchecked Sendable {
    /// Hyper-parameters.
    public let config: TransformerConfig
    /// The compute backend.
    public let backend: Backend
    /// Values (and gradients, once enabled) of every parameter.
    public let parameters: ParameterStore
    private let rotary: RotaryTable?
    private var arena: ForwardActivations?
    /// Arenas of incremental passes, by number of new tokens per row (prefill and decode alternate).
    var incrementalArenas: [Int: ForwardActivations] = [:]
    private var scratch: GradientScratch?
    private var lastBatch: TokenBatch?

    /// A model with zeroed parameters laid out for `config` (fill them from a checkpoint or `initializeRandom`).
    public convenience init(config: TransformerConfig, backend: Backend = CPUBackend.shared) {
        let store = ParameterStore(specs: ParameterLayout.specs(for: config), backend: backend)
        self.init(config: config, parameters: store, backend: backend)
    }

    /// A model over an existing parameter store (its layout must be `ParameterLayout.specs(for: config)`).
    public init(config: TransformerConfig, parameters: ParameterStore, backend: Backend = CPUBackend.shared) {
        self.config = config
        self.backend = backend
        self.parameters = parameters
        rotary = config.architecture == .llama
            ? RotaryTable(headDim: config.headDim, base: config.ropeBase, maxPositions: config.maxPositions) : nil
        rebindBlocks()
    }

    private var boundBlocks: [DecoderBlock] = []

    /// Re-reads parameter and gradient pointers (call after `parameters.enableGradients()`).
    private func rebindBlocks() {
        boundBlocks = (0..<config.layers).map { l -> DecoderBlock in
            switch config.architecture {
            case .gpt2: GPT2Block(store: parameters, layer: l)
            case .llama: LlamaBlock(store: parameters, layer: l)
            }
        }
    }

    /// Allocates gradients so `backward` can run.
    public func enableTraining() {
        if parameters.gradients == nil {
            parameters.enableGradients()
            rebindBlocks()
        }
    }

    /// Runs the model on `batch`; returns logits[B,T,V] (valid until the next call).
    /// With `training`, every block keeps its activations for `backward`.
    @discardableResult
    public func forward(_ batch: TokenBatch, training: Bool = false) throws -> FloatPointer {
        try batch.validate(vocabSize: config.vocabSize, maxPositions: config.maxPositions)
        let acts = arena(for: batch, training: training)
        acts.load(batch)
        let N = batch.batch * batch.length, C = config.width
        embed(acts)
        let last = runBlocks(acts, cache: nil)
        finalNormForward(input: last, acts: acts)
        backend.matmulForward(out: acts.logits, input: acts.finalNorm, weight: headWeight.value, bias: nil, rows: N,
                              inFeatures: C, outFeatures: config.vocabSize)
        lastBatch = batch
        return acts.logits
    }

    /// Mean next-token cross-entropy of the last forward batch (targets = ids shifted left; the last
    /// position and positions whose target is padding are ignored). Returns the loss and fills
    /// per-row upstream gradients for `backward`.
    public func nextTokenLoss() -> Float {
        guard let batch = lastBatch, let acts = arena else { preconditionFailure("forward before loss") }
        let targets = Self.nextTokenTargets(batch)
        return crossEntropy(targets: targets, acts: acts)
    }

    /// Cross-entropy against explicit targets[B·T] (−1 = ignored) of the last forward batch; mean over
    /// the counted rows. Leaves dLoss = 1/count per counted row for `backward`.
    public func loss(targets: [Int32]) -> Float {
        guard let acts = arena else { preconditionFailure("forward before loss") }
        return crossEntropy(targets: targets, acts: acts)
    }

    private var targetsBuffer: [Int32] = []
    private var dLossBuffer: [Float] = []

    private func crossEntropy(targets: [Int32], acts: ForwardActivations) -> Float {
        let N = acts.batch * acts.length
        precondition(targets.count == N, "targets must have B·T entries")
        targetsBuffer = targets
        let count = targets.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
        targetsBuffer.withUnsafeMutableBufferPointer { t in
            backend.crossEntropyForward(losses: acts.losses, logSumExp: acts.logSumExp, logits: acts.logits,
                                        targets: t.baseAddress!, rows: N, vocab: config.vocabSize)
        }
        var total = 0.0
        for i in 0..<N where targets[i] >= 0 { total += Double(acts.losses[i]) }
        let scale = count > 0 ? Float(1) / Float(count) : 0
        dLossBuffer = targets.map { $0 >= 0 ? scale : 0 }
        return count > 0 ? Float(total / Double(count)) : 0
    }

    /// Backpropagates the loss set by `nextTokenLoss` / `loss(targets:)` (or custom per-row weights via
    /// `dLoss`) through the model, accumulating parameter gradients. Requires `forward(training: true)`.
    public func backward(dLoss custom: [Float]? = nil) {
        guard let acts = arena, acts.keepAllLayers, lastBatch != nil else {
            preconditionFailure("backward needs forward(training: true) first")
        }
        enableTraining()
        let N = acts.batch * acts.length, C = config.width
        let s = gradientScratch(acts)
        var dLoss = custom ?? dLossBuffer
        targetsBuffer.withUnsafeMutableBufferPointer { t in
            dLoss.withUnsafeMutableBufferPointer { d in
                backend.crossEntropyBackward(dLogits: acts.logits, logits: acts.logits, logSumExp: acts.logSumExp,
                                             targets: t.baseAddress!, dLoss: d.baseAddress!, rows: N, vocab: config.vocabSize)
            }
        }
        backend.matmulBackward(dInput: s.norm, dWeight: headWeight.grad, dBias: nil, dOut: acts.logits,
                               input: acts.finalNorm, weight: headWeight.value, rows: N, inFeatures: C,
                               outFeatures: config.vocabSize, accumulateInput: false)
        backend.zero(s.residual, count: N * C)
        let lastOut = acts.blocks[config.layers - 1].residualOut
        finalNormBackward(input: lastOut, acts: acts, scratch: s)
        let run = blockRun(acts)
        for l in stride(from: config.layers - 1, through: 0, by: -1) {
            let input = l == 0 ? acts.embedded : acts.blocks[l - 1].residualOut
            boundBlocks[l].backward(input: input, acts: acts.blocks[l], scratch: s, run: run)
        }
        backend.embeddingBackward(dTable: parameters.gradient("embed.tokens"), dOut: s.residual, ids: acts.ids,
                                  rows: N, channels: C)
        if config.architecture == .gpt2 {
            backend.embeddingBackward(dTable: parameters.gradient("embed.positions"), dOut: s.residual,
                                      ids: acts.positions, rows: N, channels: C)
        }
    }

    /// log p(ids[t+1] | ids[..t]) for each position of each row: [B][T−1].
    public func nextTokenLogProbs(_ batch: TokenBatch) throws -> [[Float]] {
        try forward(batch)
        let acts = arena!
        let T = batch.length, N = batch.batch * T
        var targets = Self.nextTokenTargets(batch).map { max($0, 0) }
        var out = [Float](repeating: 0, count: N)
        targets.withUnsafeMutableBufferPointer { t in
            out.withUnsafeMutableBufferPointer { o in
                backend.logSoftmaxGather(out: o.baseAddress!, logits: acts.logits, targets: t.baseAddress!, rows: N,
                                         vocab: config.vocabSize)
            }
        }
        return (0..<batch.batch).map { b in Array(out[(b * T)..<(b * T + T - 1)]) }
    }

    /// targets[b,t] = ids[b,t+1], or −1 at the last position and where position t+1 is padding.
    public static func nextTokenTargets(_ batch: TokenBatch) -> [Int32] {
        let T = batch.length
        var targets = [Int32](repeating: -1, count: batch.batch * T)
        for b in 0..<batch.batch {
            for t in 0..<(T - 1) where batch.mask?[b * T + t + 1] ?? 1 != 0 {
                targets[b * T + t] = batch.ids[b * T + t + 1]
            }
        }
        return targets
    }

    // MARK: pieces

    /// embedded[N,C] = token embedding (+ learned position embedding for GPT-2).
    func embed(_ acts: ForwardActivations) {
        let N = acts.batch * acts.length, C = config.width
        backend.embeddingForward(out: acts.embedded, ids: acts.ids, table: parameters.value("embed.tokens"), rows: N,
                                 channels: C, accumulate: false)
        if config.architecture == .gpt2 {
            backend.embeddingForward(out: acts.embedded, ids: acts.positions, table: parameters.value("embed.positions"),
                                     rows: N, channels: C, accumulate: true)
        }
    }

    /// Runs every block; returns the last block's output [N,C].
    func runBlocks(_ acts: ForwardActivations, cache: KVCache?, packed: PackedWeights? = nil) -> FloatPointer {
        var run = blockRun(acts)
        run.cache = cache
        run.packed = packed
        var input = acts.embedded
        for (l, block) in boundBlocks.enumerated() {
            block.forward(input: input, acts: acts.blocks[l], run: run)
            input = acts.blocks[l].residualOut
        }
        return input
    }

    var headWeight: Weight {
        Weight(parameters, config.tiedEmbeddings ? "embed.tokens" : "lm_head.weight")
    }

    func finalNormForward(input: FloatPointer, acts: ForwardActivations, rows: Int? = nil) {
        let N = rows ?? acts.batch * acts.length, C = config.width
        switch config.architecture {
        case .gpt2:
            backend.layerNormForward(out: acts.finalNorm, mean: acts.finalMean, rstd: acts.finalRstd, input: input,
                                     weight: parameters.value("final_norm.weight"),
                                     bias: parameters.value("final_norm.bias"), rows: N, channels: C, eps: config.normEps)
        case .llama:
            backend.rmsNormForward(out: acts.finalNorm, rstd: acts.finalRstd, input: input,
                                   weight: parameters.value("final_norm.weight"), rows: N, channels: C, eps: config.normEps)
        }
    }

    private func finalNormBackward(input: FloatPointer, acts: ForwardActivations, scratch s: GradientScratch) {
        let N = acts.batch * acts.length, C = config.width
        switch config.architecture {
        case .gpt2:
            backend.layerNormBackward(dInput: s.residual, dWeight: parameters.gradient("final_norm.weight"),
                                      dBias: parameters.gradient("final_norm.bias"), dOut: s.norm, input: input,
                                      weight: parameters.value("final_norm.weight"), mean: acts.finalMean,
                                      rstd: acts.finalRstd, rows: N, channels: C)
        case .llama:
            backend.rmsNormBackward(dInput: s.residual, dWeight: parameters.gradient("final_norm.weight"), dOut: s.norm,
                                    input: input, weight: parameters.value("final_norm.weight"), rstd: acts.finalRstd,
                                    rows: N, channels: C)
        }
    }

    private func blockRun(_ acts: ForwardActivations) -> BlockRun {
        BlockRun(backend: backend, config: config, batch: acts.batch, length: acts.length, positions: acts.positions,
                 keyMask: acts.keyMask, rotary: rotary, projection: acts.projection)
    }

    /// The arena for this batch shape, reused while the shape and mode stay the same.
    private func arena(for batch: TokenBatch, training: Bool) -> ForwardActivations {
        if let a = arena, a.batch == batch.batch, a.length == batch.length, a.keepAllLayers == training,
           (a.keyMask != nil) == (batch.mask != nil) {
            return a
        }
        arena = nil
        scratch = nil
        let a = ForwardActivations(config: config, batch: batch.batch, length: batch.length, keepAllLayers: training,
                                   hasMask: batch.mask != nil, backend: backend)
        arena = a
        return a
    }

    private func gradientScratch(_ acts: ForwardActivations) -> GradientScratch {
        if let s = scratch { return s }
        let s = GradientScratch(config: config, batch: acts.batch, length: acts.length, backend: backend)
        scratch = s
        return s
    }
}
