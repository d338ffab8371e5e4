import Models

/// What one DPO step did: the loss and TRL's `rewards/*` metrics, and the gradient norm before clipping.
public struct DPOStepStatistics: Sendable, Equatable {
    /// The mean loss of the batch.
    public var loss: Double
    /// Mean implicit rewards β·(π − ref) of the chosen and the rejected responses, and their margin.
    public var chosenReward: Double, rejectedReward: Double, margin: Double
    /// The share of pairs ranked right by the implicit reward.
    public var accuracy: Double
    /// The policy's global gradient norm before clipping.
    public var gradNorm: Double
}

/// Direct preference optimisation (DPO, or IPO) of a policy against its frozen reference: a batch of
/// pairs is laid out as one `RolloutBatch` (rows 0..<n the prompts with their chosen responses, rows
/// n..<2n with their rejected ones), its sequence log-probs under the reference are taken once (no
/// gradient), and each step runs the policy forward on all 2n rows, takes `DPOLoss`, sends d loss /
/// d log-prob of every response token back through the policy (`PolicyGradients`), clips and steps AdamW.
public final class DPOUpdate {
    /// The trained policy and its frozen reference.
    public let policy: CausalLM, reference: CausalLM
    /// The policy's optimizer.
    public let optimizer: AdamW
    /// The loss's strength and kind.
    public let beta: Double, kind: DPOLossKind
    /// The global gradient norm clip (nil: none).
    public let maxGradNorm: Double?

    /// An update of `policy` (which gets gradients) against `reference` (frozen here). The optimizer
    /// steps `policy.trainableStores`: all its parameters, or only its LoRA adapter when its base is
    /// frozen (then `reference` can be a second model over the same frozen store, without the adapter).
    public init(policy: CausalLM, reference: CausalLM, optimizer config: AdamWConfig, beta: Double, kind: DPOLossKind = .sigmoid,
                maxGradNorm: Double? = nil) throws {
        guard beta > 0, beta.isFinite else { throw DPOInputError.beta(beta) }
        policy.enableTraining()
        reference.freeze()
        self.policy = policy
        self.reference = reference
        optimizer = try AdamW(groups: policy.trainableStores.map { ($0, config) })
        self.beta = beta
        self.kind = kind
        self.maxGradNorm = maxGradNorm
    }

    /// Pairs (`prompts[i]`, `chosen[i]`, `rejected[i]`) as one batch of 2n rows, padded with `padID`.
    public static func batch(prompts: [[Int]], chosen: [[Int]], rejected: [[Int]], padID: Int) throws -> RolloutBatch {
        guard !prompts.isEmpty else { throw DPOInputError.empty }
        for (name, array) in [("chosen", chosen), ("rejected", rejected)] where array.count != prompts.count {
            throw DPOInputError.length(name, expected: prompts.count, got: array.count)
        }
        if let i = (0..<prompts.count).first(where: { chosen[$0].isEmpty || rejected[$0].isEmpty }) { throw DPOInputError.emptyResponse(pair: i) }
        return try RolloutBatch(queries: prompts + prompts, responses: chosen + rejected, padID: padID)
    }

    /// Each row's sequence log-prob [2n] under the frozen reference: the sum over its response tokens
    /// (the mean for IPO, as TRL's `average_log_prob`).
    public func referenceLogProbs(_ batch: RolloutBatch) throws -> [Double] {
        let scored = try reference.scoreTokens(batch.tokens, targets: batch.targets)
        return sequences(scored.logProbs, batch)
    }

    /// Per-row sums (or means, for IPO) of `tokenValues` [2n·T] over the response positions.
    private func sequences(_ tokenValues: [Float], _ batch: RolloutBatch) -> [Double] {
        let T = batch.length
        return (0..<batch.rows).map { b in
            var sum = 0.0, count = 0.0
            for t in 0..<T where batch.responseMask[b * T + t] > 0 {
                sum += Double(tokenValues[b * T + t])
                count += 1
            }
            return kind == .ipo ? sum / max(count, 1) : sum
        }
    }

    /// The batch's loss under the current policy, without a gradient (for evaluation and checks).
    public func loss(_ batch: RolloutBatch, referenceLogProbs: [Double]) throws -> DPOLoss {
        let scored = try policy.scoreTokens(batch.tokens, targets: batch.targets)
        return try loss(sequences(scored.logProbs, batch), referenceLogProbs)
    }

    private func loss(_ policyLogProbs: [Double], _ referenceLogProbs: [Double]) throws -> DPOLoss {
        let n = policyLogProbs.count / 2
        guard referenceLogProbs.count == 2 * n else { throw DPOInputError.length("referenceLogProbs", expected: 2 * n, got: referenceLogProbs.count) }
        return try DPOLoss(policyChosen: Array(policyLogProbs[..<n]), policyRejected: Array(policyLogProbs[n...]),
                           referenceChosen: Array(referenceLogProbs[..<n]), referenceRejected: Array(referenceLogProbs[n...]),
                           beta: beta, kind: kind)
    }

    /// Accumulates the gradient of the batch's loss, times `scale`, into the policy's gradients (without
    /// stepping); returns the batch's loss. A mean over pairs, each term only of its own pair: chunks of
    /// a batch, each scaled by its share of the pairs, add up to the whole batch's gradient exactly.
    public func accumulateGradients(_ batch: RolloutBatch, referenceLogProbs: [Double], scale: Double = 1) throws -> DPOLoss {
        try policy.forward(batch.tokens, training: true)
        let tokens = try policy.tokenLogProbs(targets: batch.targets)
        let result = try loss(sequences(tokens.logProbs, batch), referenceLogProbs)
        let T = batch.length, n = batch.rows / 2
        var dLogProbs = [Float](repeating: 0, count: batch.rows * T)  // [2n·T]
        for b in 0..<batch.rows {
            let dSequence = b < n ? result.dPolicyChosen[b] : result.dPolicyRejected[b - n]
            let positions = (0..<T).filter { batch.responseMask[b * T + $0] > 0 }
            let perToken = scale * (kind == .ipo ? dSequence / Double(max(positions.count, 1)) : dSequence)
            for t in positions { dLogProbs[b * T + t] = Float(perToken) }
        }
        try policy.backward(PolicyGradients(targets: batch.targets, logProbs: dLogProbs))
        return result
    }

    /// One optimizer step on `batch` (with its reference log-probs from `referenceLogProbs`).
    public func step(_ batch: RolloutBatch, referenceLogProbs: [Double]) throws -> DPOStepStatistics {
        try step(chunks: [(batch, referenceLogProbs)])
    }

    /// One optimizer step on a batch given as `chunks` of whole pairs (each with its reference log-probs),
    /// their gradients accumulated one chunk at a time: the activations of one chunk are alive at once,
    /// not the whole batch's, and the step is the one the whole batch would take.
    public func step(chunks: [(batch: RolloutBatch, referenceLogProbs: [Double])]) throws -> DPOStepStatistics {
        let pairs = Double(chunks.reduce(0) { $0 + $1.batch.rows / 2 })
        guard pairs > 0 else { throw DPOInputError.empty }
        var loss = 0.0, chosen = 0.0, rejected = 0.0, margin = 0.0, accuracy = 0.0
        for (batch, references) in chunks {
            let share = Double(batch.rows / 2) / pairs
            let result = try accumulateGradients(batch, referenceLogProbs: references, scale: share)
            loss += share * result.loss
            chosen += result.chosenRewards.reduce(0, +) / pairs
            rejected += result.rejectedRewards.reduce(0, +) / pairs
            margin += share * result.margin
            accuracy += share * result.accuracy
        }
        let stores = optimizer.groups.map(\.store)
        do { try NonFiniteStepError.check(trainer: "DPO", loss: loss, gradientNorm: GradientClipping.globalNorm(of: stores)) } catch {
            for store in stores { store.zeroGradients() }
            throw error
        }
        let norm = maxGradNorm.map { GradientClipping.clipGlobalNorm(of: stores, maxNorm: $0) }
            ?? GradientClipping.globalNorm(of: stores)
        optimizer.step()
        for store in stores { store.zeroGradients() }
        return DPOStepStatistics(loss: loss, chosenReward: chosen, rejectedReward: rejected, margin: margin,
                                 accuracy: accuracy, gradNorm: norm)
    }
}
