import Tensor

/// The trunk of a transformer, up to the final hidden states h[B,T,C]: a causal decoder (GPT-2 or Llama
/// family: token (and position) embeddings, the blocks and the final norm) or the BERT encoder (token,
/// position and token-type embeddings under a LayerNorm, then post-LN blocks with bidirectional
/// attention, and no final norm). Heads read those states: the LM head (`CausalLM`), a value head, a
/// sequence classifier's score (`ScalarHead`, through BERT's pooler for an encoder).
///
/// `forward` keeps each batch shape's activations in a bounded set of arenas; `backward` starts from
/// d loss / d h, which the heads sum into `GradientScratch.norm`, and accumulates d loss / d parameter
/// into `parameters.gradients`.
package final class Decoder: @unchecked Sendable {
    /// Hyper-parameters.
    package let config: TransformerConfig
    /// The compute backend.
    package let backend: Backend
    /// Values (and gradients, once enabled) of every trunk parameter (and of an untied LM head).
    package let parameters: ParameterStore
    /// Whether arenas hold logits (a model with an LM head).
    let producesLogits: Bool
    private let rotary: RotaryTable?
    /// Full passes (training and scoring), most recently used kept.
    let arenas = ArenaCache(limit: 3)
    /// Arenas held now for full passes (at most 3) and incremental ones (at most 3).
    package var arenaCount: Int { arenas.count + incrementalArenas.count }
    /// Incremental passes (prefill and decode steps of generation).
    let incrementalArenas = ArenaCache(limit: 3)
    private var scratch: GradientScratch?
    private var boundBlocks: [DecoderBlock] = []
    /// The LoRA adapter every block's projections add (nil: none). Set through `CausalLM.attach(adapter:)`.
    var adapter: LoRAAdapter?
    /// [2C]: where a frozen trunk's norms accumulate the parameter gradients their backward always
    /// computes (zeroed every backward, never read), so a LoRA adapter trains over a gradient-free base.
    private let gradientSink: FloatBuffer

    /// The arena and batch of the last full forward pass.
    private(set) var last: (batch: TokenBatch, acts: ForwardActivations)?

    /// A trunk over `parameters` (laid out by `ParameterLayout.specs(for: config, lmHead: producesLogits)`).
    init(config: TransformerConfig, parameters: ParameterStore, backend: Backend, producesLogits: Bool) {
        self.config = config
        self.backend = backend
        self.parameters = parameters
        self.producesLogits = producesLogits
        gradientSink = backend.makeBuffer(count: 2 * config.width)
        rotary = config.architecture == .llama
            ? RotaryTable(headDim: config.headDim, base: config.ropeBase, maxPositions: config.maxPositions) : nil
        rebindBlocks()
    }

    /// Whether the blocks hold gradient pointers (gradients may be allocated by others, e.g. an optimizer).
    private var blocksHaveGradients = false

    /// Re-reads parameter and gradient pointers (after gradients are allocated).
    private func rebindBlocks() {
        blocksHaveGradients = parameters.gradients != nil
        boundBlocks = (0..<config.layers).map { l -> DecoderBlock in
            switch config.architecture {
            case .gpt2: GPT2Block(store: parameters, layer: l, sink: gradientSink.pointer)
            case .llama: LlamaBlock(store: parameters, layer: l, sink: gradientSink.pointer)
            case .bert: BertBlock(store: parameters, layer: l)
            }
        }
    }

    /// Allocates gradients so `backward` can run; a frozen store stays without them, and is refused
    /// unless a trainable LoRA adapter is attached (which then gets the only gradients).
    func enableTraining() throws(ModelInputError) {
        if let adapter, !adapter.parameters.isFrozen { adapter.parameters.enableGradients() }
        guard !parameters.isFrozen || adapter?.parameters.gradients != nil else { throw .frozen }
        parameters.enableGradients()
        if blocksHaveGradients != (parameters.gradients != nil) { rebindBlocks() }
    }

    /// Runs the trunk on `batch`: the hidden states are the arena's `finalNorm` [N,C] (valid until a
    /// later pass of the same shape). With `training`, every block keeps its activations for `backward`.
    /// Without `logits` the arena has no [N,V] logits (a caller that projects rows in chunks).
    /// BERT reads absolute positions 0..<T in every row, whatever its padding (as `BertModel` does).
    func forward(_ input: TokenBatch, training: Bool, logits: Bool? = nil) throws -> ForwardActivations {
        let batch = config.architecture == .bert ? input.withSequentialPositions() : input
        try batch.validate(vocabSize: config.vocabSize, maxPositions: config.maxPositions)
        if training { try enableTraining() }
        let withLogits = logits ?? producesLogits
        let key = ArenaCache.Key(batch: batch.batch, length: batch.length, training: training,
                                 hasMask: batch.mask != nil, lastPositionOnly: false, logits: withLogits)
        let acts = arenas.arena(for: key) { evicted in
            ForwardActivations(config: config, batch: batch.batch, length: batch.length, keepAllLayers: training,
                               hasMask: batch.mask != nil, logits: withLogits, backend: backend, recycling: evicted)
        }
        acts.load(batch)
        embed(acts)
        let lastOut = runBlocks(acts, cache: nil)
        finalNormForward(input: lastOut, acts: acts)
        last = (batch, acts)
        return acts
    }

    /// The arena of the last forward pass, which must have been a training pass, for `call`.
    func trainingActivations(for call: String) throws(ModelInputError) -> (TokenBatch, ForwardActivations) {
        guard let last, last.acts.keepAllLayers else { throw .outOfOrder(call: call, needed: "forward(training: true)") }
        return last
    }

    /// The gradient buffers for the last training pass: heads write d loss / d h into `norm` [N,C].
    func gradientScratch(_ acts: ForwardActivations) -> GradientScratch {
        if let s = scratch, s.batch == acts.batch, s.length == acts.length { return s }
        let old = scratch
        scratch = nil
        let s = GradientScratch(config: config, batch: acts.batch, length: acts.length, backend: backend, recycling: old)
        scratch = s
        return s
    }

    /// Backpropagates d loss / d h (in `scratch.norm` [N,C]) through the final norm, the blocks in reverse
    /// and the embeddings, accumulating parameter gradients.
    func backward(acts: ForwardActivations, scratch s: GradientScratch) {
        let N = acts.batch * acts.length, C = config.width
        backend.zero(s.residual, count: N * C)
        if parameters.gradients == nil { backend.zero(gradientSink.pointer, count: 2 * C) }
        let lastOut = acts.blocks[config.layers - 1].residualOut
        finalNormBackward(input: lastOut, acts: acts, scratch: s)
        let run = blockRun(acts)
        for l in stride(from: config.layers - 1, through: 0, by: -1) {
            let input = l == 0 ? acts.embedded : acts.blocks[l - 1].residualOut
            boundBlocks[l].backward(input: input, acts: acts.blocks[l], scratch: s, run: run)
        }
        guard parameters.gradients != nil else { return }  // a frozen trunk: the embeddings keep no gradient
        var dEmbeddings = s.residual  // [N,C]: d loss / d (the sum of the embeddings)
        if config.architecture == .bert, let sum = acts.embeddingSum, let mean = acts.embeddingMean,
           let rstd = acts.embeddingRstd, let types = acts.tokenTypes {
            backend.zero(s.norm, count: N * C)
            backend.layerNormBackward(dInput: s.norm, dWeight: parameters.gradient("embed_norm.weight"),
                                      dBias: parameters.gradient("embed_norm.bias"), dOut: s.residual, input: sum,
                                      weight: parameters.value("embed_norm.weight"), mean: mean, rstd: rstd,
                                      rows: N, channels: C)
            dEmbeddings = s.norm
            backend.embeddingBackward(dTable: parameters.gradient("embed.types"), dOut: dEmbeddings, ids: types,
                                      rows: N, channels: C)
        }
        backend.embeddingBackward(dTable: parameters.gradient("embed.tokens"), dOut: dEmbeddings, ids: acts.ids,
                                  rows: N, channels: C)
        if config.architecture != .llama {
            backend.embeddingBackward(dTable: parameters.gradient("embed.positions"), dOut: dEmbeddings,
                                      ids: acts.positions, rows: N, channels: C)
        }
    }

    // MARK: pieces

    /// embedded[N,C] = token embedding (+ learned position embedding for GPT-2; for BERT, LayerNorm of
    /// token + position + token-type embeddings).
    func embed(_ acts: ForwardActivations) {
        let N = acts.batch * acts.length, C = config.width
        let sum = acts.embeddingSum ?? acts.embedded  // [N,C]
        backend.embeddingForward(out: sum, ids: acts.ids, table: parameters.value("embed.tokens"), rows: N,
                                 channels: C, accumulate: false)
        if config.architecture != .llama {
            backend.embeddingForward(out: sum, ids: acts.positions, table: parameters.value("embed.positions"),
                                     rows: N, channels: C, accumulate: true)
        }
        if config.architecture == .bert, let types = acts.tokenTypes, let mean = acts.embeddingMean,
           let rstd = acts.embeddingRstd {
            backend.embeddingForward(out: sum, ids: types, table: parameters.value("embed.types"), rows: N, channels: C,
                                     accumulate: true)
            backend.layerNormForward(out: acts.embedded, mean: mean, rstd: rstd, input: sum,
                                     weight: parameters.value("embed_norm.weight"), bias: parameters.value("embed_norm.bias"),
                                     rows: N, channels: C, eps: config.normEps)
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

    /// finalNorm[rows,C] = norm(input[rows,C]) (a copy for BERT, which has no final norm); rows defaults
    /// to the arena's N.
    func finalNormForward(input: FloatPointer, acts: ForwardActivations, rows: Int? = nil) {
        let N = rows ?? acts.batch * acts.length, C = config.width
        switch config.architecture {
        case .bert:
            backend.copy(from: input, to: acts.finalNorm, count: N * C)
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
        let frozen = parameters.gradients == nil, sink = gradientSink.pointer
        func gradient(_ name: String, _ sink: FloatPointer) -> FloatPointer { frozen ? sink : parameters.gradient(name) }
        switch config.architecture {
        case .bert:
            backend.copy(from: s.norm, to: s.residual, count: N * C)
        case .gpt2:
            backend.layerNormBackward(dInput: s.residual, dWeight: gradient("final_norm.weight", sink),
                                      dBias: gradient("final_norm.bias", sink + C), dOut: s.norm, input: input,
                                      weight: parameters.value("final_norm.weight"), mean: acts.finalMean,
                                      rstd: acts.finalRstd, rows: N, channels: C)
        case .llama:
            backend.rmsNormBackward(dInput: s.residual, dWeight: gradient("final_norm.weight", sink), dOut: s.norm,
                                    input: input, weight: parameters.value("final_norm.weight"), rstd: acts.finalRstd,
                                    rows: N, channels: C)
        }
    }

    private func blockRun(_ acts: ForwardActivations) -> BlockRun {
        BlockRun(backend: backend, config: config, batch: acts.batch, length: acts.length, positions: acts.positions,
                 keyMask: acts.keyMask, rotary: rotary, projection: acts.projection, adapter: adapter)
    }
}
