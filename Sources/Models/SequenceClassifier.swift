import Tensor

/// A scalar reward model: the `Decoder` trunk (no LM head) and a head Linear(C→1), read as `pooling` says.
/// With `.last`, as transformers' `GPT2ForSequenceClassification` / `LlamaForSequenceClassification` with
/// `num_labels: 1` do: the `score` head (no bias) at the last position whose id is not `padTokenID` (the
/// last position when there is no pad id). With `.cls`, as `BertForSequenceClassification` does: the
/// `classifier` head (with bias) on the pooler's tanh of the [CLS] state. With `.mean`, the head on the
/// mean of the real tokens' states.
///
/// The same head read at every position is a critic started from a reward model (`tokenScores`), so
/// `backward` takes a per-sequence reward gradient, a per-token one, or both.
public final class SequenceClassifier: @unchecked Sendable {
    /// The trunk: embeddings, blocks, final norm.
    package let decoder: Decoder
    /// The score head (`score.weight` [1,C]).
    public let head: ScalarHead
    /// The padding id that marks where a row ends (transformers' `pad_token_id`).
    public let padTokenID: Int?
    /// Which hidden state the head reads.
    public let pooling: RewardPooling
    /// The `cls`/`mean` readout (nil for `last`, which reads the head at every position).
    private let readout: SequencePooling?

    /// Hyper-parameters of the trunk.
    public var config: TransformerConfig { decoder.config }
    /// The compute backend.
    public var backend: Backend { decoder.backend }
    /// The trunk's parameters (`ParameterLayout.specs(for: config, lmHead: false)`).
    public var parameters: ParameterStore { decoder.parameters }

    /// A classifier with zeroed parameters for `config` (a BERT head has a bias, a decoder's has none).
    public convenience init(config: TransformerConfig, padTokenID: Int?, pooling: RewardPooling? = nil,
                            backend: Backend = DefaultBackend.current) {
        let store = ParameterStore(specs: ParameterLayout.specs(for: config, lmHead: false), backend: backend)
        self.init(config: config, parameters: store,
                  head: ScalarHead(width: config.width, bias: config.architecture == .bert, backend: backend),
                  padTokenID: padTokenID, pooling: pooling, backend: backend)
    }

    /// A classifier over an existing trunk store and head; `pooling` defaults to the family's
    /// (`RewardPooling.standard`). [CLS] pooling needs an encoder (a decoder's first token sees only itself).
    /// It computes on the trunk store's backend unless `backend` says otherwise.
    public init(config: TransformerConfig, parameters: ParameterStore, head: ScalarHead, padTokenID: Int?,
                pooling: RewardPooling? = nil, backend: Backend? = nil) {
        let backend = backend ?? parameters.backend
        let pooling = pooling ?? .standard(for: config.architecture)
        precondition(pooling != .cls || config.architecture == .bert, "[CLS] pooling needs an encoder")
        decoder = Decoder(config: config, parameters: parameters, backend: backend, producesLogits: false)
        self.head = head
        self.padTokenID = padTokenID
        self.pooling = pooling
        readout = pooling == .last ? nil
            : SequencePooling(pooling: pooling, parameters: parameters, config: config, backend: backend)
    }

    /// Freezes the trunk and the head (a reward model scoring for PPO): no gradient memory.
    public func freeze() {
        parameters.freeze()
        head.parameters.freeze()
    }

    /// The position each row is read at: its last id that is not the pad id (the row's last position
    /// when it has no pad id, or only pads).
    public func readPositions(_ batch: TokenBatch) -> [Int] {
        let T = batch.length
        return (0..<batch.batch).map { b in
            guard let pad = padTokenID else { return T - 1 }
            var last = 0
            for t in 0..<T where Int(batch.ids[b * T + t]) != pad { last = t }
            return last
        }
    }

    /// Runs the batch and returns each row's reward [B]. With `training`, `backward` can follow.
    public func rewards(_ batch: TokenBatch, training: Bool = false) throws -> [Float] {
        if let readout {
            if training && head.parameters.isFrozen { throw ModelInputError.frozen }
            let acts = try decoder.forward(batch, training: training)
            let pooled = readout.forward(hidden: acts.finalNorm, batch: batch)
            return backend.download(try head.forward(hidden: pooled, rows: batch.batch), count: batch.batch)
        }
        let scores = try tokenScores(batch, training: training)
        let T = batch.length
        return readPositions(batch).enumerated().map { b, t in scores[b * T + t] }
    }

    /// Runs the batch and returns, for each row, the hidden state the head reads [B,C]: the sentence
    /// embedding (the pooler's output for `cls`, the mean of the real tokens' states for `mean`, the state
    /// at the row's read position for `last`).
    public func pooledStates(_ batch: TokenBatch) throws -> [Float] {
        let acts = try decoder.forward(batch, training: false)
        let B = batch.batch, T = batch.length, C = config.width
        if let readout { return backend.download(readout.forward(hidden: acts.finalNorm, batch: batch), count: B * C) }
        return readPositions(batch).enumerated().flatMap { b, t in backend.download(acts.finalNorm + (b * T + t) * C, count: C) }
    }

    /// Runs the batch and returns the head's output at every position [B·T] (a critic's values).
    public func tokenScores(_ batch: TokenBatch, training: Bool = false) throws -> [Float] {
        if training && head.parameters.isFrozen { throw ModelInputError.frozen }
        let acts = try decoder.forward(batch, training: training)
        let N = batch.batch * batch.length
        return backend.download(try head.forward(hidden: acts.finalNorm, rows: N), count: N)
    }

    /// Backpropagates d loss / d reward [B] (at each row's read position) and/or d loss / d score [B·T]
    /// at every position, from the last training pass, into the trunk's and the head's gradients.
    public func backward(rewards dRewards: [Float]? = nil, tokenScores dScores: [Float]? = nil) throws {
        let (batch, acts) = try decoder.trainingActivations(for: "backward")
        let B = batch.batch, T = batch.length, N = B * T
        if let dRewards, dRewards.count != B {
            throw ModelInputError.lengthMismatch(what: "reward gradient", expected: B, got: dRewards.count)
        }
        if let dScores, dScores.count != N {
            throw ModelInputError.lengthMismatch(what: "token score gradient", expected: N, got: dScores.count)
        }
        let s = decoder.gradientScratch(acts)
        backend.zero(s.norm, count: N * config.width)
        if let readout {
            guard dScores == nil else { throw ModelInputError.outOfOrder(call: "backward(tokenScores:)", needed: "a last-token classifier") }
            guard let dRewards, let pooled = readout.lastPooled else { return }
            let dPooled = readout.pooledGradient(rows: B)
            backend.upload(dRewards, to: acts.rowGradient)
            try head.backward(dOut: acts.rowGradient, hidden: pooled, dHidden: dPooled, rows: B)
            readout.backward(dHidden: s.norm, batch: batch)
            decoder.backward(acts: acts, scratch: s)
            return
        }
        var perToken = dScores ?? [Float](repeating: 0, count: N)
        if let dRewards {
            for (b, t) in readPositions(batch).enumerated() { perToken[b * T + t] += dRewards[b] }
        }
        backend.upload(perToken, to: acts.rowGradient)
        try head.backward(dOut: acts.rowGradient, hidden: acts.finalNorm, dHidden: s.norm, rows: N)
        decoder.backward(acts: acts, scratch: s)
    }
}
