import Tensor

/// A decoder-only language model: the `Decoder` trunk, the LM head (tied to the token embedding unless
/// the config says otherwise) and, optionally, a value head on the same hidden states (a PPO policy).
///
/// `forward` runs a batch and leaves logits[B,T,V] in the activation arena. Losses then read it:
/// the next-token cross-entropy (`nextTokenLoss`, `loss(targets:)`), or the chosen tokens' log-probs and
/// the entropy at a temperature (`tokenLogProbs`), and `values()` reads the value head. `backward`
/// (after `forward(training: true)`) takes any combination of their gradients (`PolicyGradients`), sums
/// them into one gradient of the hidden states and accumulates d loss / d parameter into the trunk's
/// and the value head's gradient stores.
public final class CausalLM: @unchecked Sendable {
    /// The trunk: embeddings, blocks, final norm.
    package let decoder: Decoder
    /// A value head Linear(C→1) on the hidden states, when attached (`attachValueHead`).
    public private(set) var valueHead: ScalarHead?
    private var dLossBuffer: [Float] = []
    private var chunkLogits: FloatBuffer?  // [rows, V] for `scoreTokens`

    /// The chunk buffer of `scoreTokens`, for at least `rows` rows of logits.
    func scoringLogits(rows: Int) -> FloatPointer {
        if (chunkLogits?.count ?? 0) < rows * config.vocabSize { chunkLogits = backend.makeBuffer(count: rows * config.vocabSize) }
        return chunkLogits!.pointer
    }

    /// Hyper-parameters.
    public var config: TransformerConfig { decoder.config }
    /// The compute backend.
    public var backend: Backend { decoder.backend }
    /// Values (and gradients, once enabled) of every trunk and LM-head parameter.
    public var parameters: ParameterStore { decoder.parameters }

    /// A model with zeroed parameters laid out for `config` (fill them from a checkpoint or `initializeRandom`).
    public convenience init(config: TransformerConfig, backend: Backend = DefaultBackend.current) {
        let store = ParameterStore(specs: ParameterLayout.specs(for: config), backend: backend)
        self.init(config: config, parameters: store, backend: backend)
    }

    /// A model over an existing parameter store (its layout must be `ParameterLayout.specs(for: config)`),
    /// computing on the store's backend unless `backend` says otherwise.
    public init(config: TransformerConfig, parameters: ParameterStore, backend: Backend? = nil) {
        decoder = Decoder(config: config, parameters: parameters, backend: backend ?? parameters.backend, producesLogits: true)
    }

    /// Attaches a value head (zero-initialised, TRL's `v_head`) or the given one; returns it.
    @discardableResult
    public func attachValueHead(_ head: ScalarHead? = nil) -> ScalarHead {
        let head = head ?? ScalarHead(width: config.width, bias: true, backend: backend)
        valueHead = head
        return head
    }

    /// Allocates gradients so `backward` can run (a frozen model stays without them).
    public func enableTraining() {
        try? decoder.enableTraining()
    }

    /// Freezes the model (a reference): it allocates no gradients and `backward` throws.
    public func freeze() {
        parameters.freeze()
        valueHead?.parameters.freeze()
    }

    /// Runs the model on `batch`; returns logits[B,T,V] (valid until the next call).
    /// With `training`, every block keeps its activations for `backward`.
    @discardableResult
    public func forward(_ batch: TokenBatch, training: Bool = false) throws -> FloatPointer {
        let acts = try decoder.forward(batch, training: training)
        let N = batch.batch * batch.length
        backend.matmulForward(out: acts.logits, input: acts.finalNorm, weight: headWeight.value, bias: nil, rows: N,
                              inFeatures: config.width, outFeatures: config.vocabSize)
        return acts.logits
    }

    /// Mean next-token cross-entropy of the last forward batch (targets = ids shifted left; the last
    /// position and positions whose target is padding are ignored). Returns the loss and fills
    /// per-row upstream gradients for `backward`.
    public func nextTokenLoss() throws -> Float {
        guard let (batch, _) = decoder.last else { throw ModelInputError.outOfOrder(call: "nextTokenLoss", needed: "forward") }
        return try loss(targets: Self.nextTokenTargets(batch))
    }

    /// Cross-entropy against explicit targets[B·T] (−1 = ignored) of the last forward batch; mean over
    /// the counted rows. Leaves dLoss = 1/count per counted row for `backward`.
    public func loss(targets: [Int32]) throws -> Float {
        let acts = try lastActivations(for: "loss", targets: targets)
        let N = acts.batch * acts.length
        backend.crossEntropyForward(losses: acts.losses, logSumExp: acts.logSumExp, logits: acts.logits,
                                    targets: acts.targets, rows: N, vocab: config.vocabSize)
        let losses = backend.download(acts.losses, count: N)
        let count = targets.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
        var total = 0.0
        for i in 0..<N where targets[i] >= 0 { total += Double(losses[i]) }
        let scale = count > 0 ? Float(1) / Float(count) : 0
        dLossBuffer = targets.map { $0 >= 0 ? scale : 0 }
        return count > 0 ? Float(total / Double(count)) : 0
    }

    /// The last forward's arena with `targets` [N] checked and uploaded.
    func lastActivations(for call: String, targets: [Int32]) throws -> ForwardActivations {
        guard let (_, acts) = decoder.last, acts.hasLogits else { throw ModelInputError.outOfOrder(call: call, needed: "forward") }
        let N = acts.batch * acts.length
        guard targets.count == N else { throw ModelInputError.lengthMismatch(what: "targets", expected: N, got: targets.count) }
        for (i, t) in targets.enumerated() where Int(t) >= config.vocabSize {
            throw ModelInputError.tokenOutOfRange(id: Int(t), vocabSize: config.vocabSize, index: i)
        }
        backend.upload(targets, to: acts.targets)
        return acts
    }

    /// Backpropagates the loss set by `nextTokenLoss` / `loss(targets:)` (or custom per-row weights via
    /// `dLoss`, [B·T]) through the model, accumulating parameter gradients. Requires `forward(training: true)`
    /// and a loss call on it.
    public func backward(dLoss custom: [Float]? = nil) throws {
        let (_, acts) = try decoder.trainingActivations(for: "backward")
        let N = acts.batch * acts.length
        let dLoss = custom ?? dLossBuffer
        guard dLoss.count == N else { throw ModelInputError.outOfOrder(call: "backward", needed: "a loss on the last forward") }
        let s = decoder.gradientScratch(acts)
        backend.upload(dLoss, to: acts.rowGradient)
        backend.crossEntropyBackward(dLogits: acts.logits, logits: acts.logits, logSumExp: acts.logSumExp,
                                     targets: acts.targets, dLoss: acts.rowGradient, rows: N, vocab: config.vocabSize)
        headBackward(acts: acts, scratch: s)
        decoder.backward(acts: acts, scratch: s)
    }

    /// d loss / d h [N,C] (=) in `scratch.norm` from dLogits in the arena's logits, and the LM head's gradient.
    func headBackward(acts: ForwardActivations, scratch s: GradientScratch) {
        backend.matmulBackward(dInput: s.norm, dWeight: headWeight.grad, dBias: nil, dOut: acts.logits,
                               input: acts.finalNorm, weight: headWeight.value, rows: acts.batch * acts.length,
                               inFeatures: config.width, outFeatures: config.vocabSize, accumulateInput: false)
    }

    /// log p(ids[t+1] | ids[..t]) for each position of each row: [B][T−1].
    public func nextTokenLogProbs(_ batch: TokenBatch) throws -> [[Float]] {
        try forward(batch)
        let T = batch.length, N = batch.batch * T
        let acts = try lastActivations(for: "nextTokenLogProbs", targets: Self.nextTokenTargets(batch).map { max($0, 0) })
        backend.logSoftmaxGather(out: acts.losses, logits: acts.logits, targets: acts.targets, rows: N,
                                 vocab: config.vocabSize)
        let out = backend.download(acts.losses, count: N)
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

    /// The LM head's weight [V,C]: the token embedding when tied.
    var headWeight: Weight {
        Weight(parameters, config.tiedEmbeddings ? "embed.tokens" : "lm_head.weight")
    }
}
