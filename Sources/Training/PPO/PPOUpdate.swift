import Models
import Tensor

/// Statistics of one PPO update, averaged over its minibatches (TRL's `ppo/...` metrics).
public struct PPOUpdateStatistics: Sendable, Equatable {
    /// `ppo/loss/policy`, `ppo/loss/value`, `ppo/loss/total`.
    public var policyLoss = 0.0, valueLoss = 0.0, totalLoss = 0.0
    /// `ppo/policy/clipfrac`, `ppo/val/clipfrac`.
    public var clipFraction = 0.0, valueClipFraction = 0.0
    /// `ppo/policy/approxkl`, `ppo/policy/policykl`.
    public var approxKL = 0.0, policyKL = 0.0
    /// mean ratio, `objective/entropy` of the trained policy.
    public var meanRatio = 0.0, entropy = 0.0
    /// The actor's global gradient norm before clipping (trunk, and value head when it has one), summed
    /// over the minibatches that stepped and divided by `minibatches` (skipped ones count as 0).
    public var gradNorm = 0.0
    /// The separate critic's global gradient norm before clipping (trunk and score head), averaged as
    /// `gradNorm`; 0 without a critic.
    public var criticGradNorm = 0.0
    /// Minibatches trained on, and skipped for a mean ratio above `ratio_threshold`.
    public var minibatches = 0, skipped = 0
}

/// The learner's update: several epochs of shuffled minibatches of the clipped PPO loss. Values come
/// from one of two critics:
///
/// - a value head on the policy (TRL): one AdamW over the trunk and the head (two parameter groups),
///   with one global gradient-norm clip over both;
/// - a separate critic started from a reward model (OpenRLHF, `PPOCritic.swift`): the policy has no
///   value head, its AdamW steps the trunk only, a second AdamW steps the critic's trunk and score head,
///   and each model's global gradient norm is clipped on its own.
///
/// Old log-probs and values are computed once, before the epochs (`score`); the shuffling stream is
/// part of the learner's state (`shuffle`), so a resumed run repeats it.
public final class PPOUpdate: @unchecked Sendable {
    /// The policy (its value head attached when there is no separate critic).
    public let policy: CausalLM
    /// The policy's value head; nil with a separate critic.
    public let valueHead: ScalarHead?
    /// The separate critic (its `tokenScores` are the values); nil with a value head.
    public let critic: SequenceClassifier?
    /// The actor's AdamW: over the trunk and the value head, or over the trunk alone with a critic.
    public let optimizer: AdamW
    /// The critic's AdamW over its trunk and its score head (two groups); nil without a critic.
    public let criticOptimizer: AdamW?
    /// Settings.
    public let settings: PPOHyperparameters
    /// The stream minibatches are shuffled with (save it in checkpoints).
    public var shuffle: SplitMix64

    /// Every optimizer a checkpoint saves, actor first, then the critic's when there is one.
    public var optimizers: [AdamW] { [optimizer] + (criticOptimizer.map { [$0] } ?? []) }

    /// An update for `policy`. Without `critic`, a zero-initialised value head is attached when the
    /// policy has none. With `critic`, no value head is attached (one already on the policy is left
    /// alone and not trained) and the critic, whose vocabulary must cover the policy's ids, is trained
    /// next to it at the same learning rate.
    public init(policy: CausalLM, critic: SequenceClassifier? = nil, settings: PPOHyperparameters, seed: UInt64) throws {
        let adam = AdamWConfig(schedule: .constant(settings.learningRate), weightDecay: 0)
        self.policy = policy
        self.critic = critic
        self.settings = settings
        // the policy's own weights, or only its LoRA adapter's when the base is frozen
        let actor = ([policy.parameters] + (policy.adapter.map { [$0.parameters] } ?? [])).filter { !$0.isFrozen }
        if let critic {
            try Self.check(critic: critic, policy: policy)
            valueHead = nil
            optimizer = try AdamW(groups: actor.map { ($0, adam) })
            criticOptimizer = try AdamW(groups: [(critic.parameters, adam), (critic.head.parameters, adam)])
        } else {
            let head = policy.valueHead ?? policy.attachValueHead()
            valueHead = head
            optimizer = try AdamW(groups: (actor + [head.parameters]).map { ($0, adam) })
            criticOptimizer = nil
        }
        shuffle = SplitMix64(seed: seed)
    }

    /// Old log-probs (at the sampling temperature) and values of every position of `batch`, in one
    /// inference pass that keeps no logits (plus one of the critic's, when there is one). Values [B·T]
    /// are the value head's or the critic's output at every position: value[b·T + t] reads the hidden
    /// state at t, as `CausalLM.scoreTokens(values: true)` lays them out.
    public func score(_ batch: RolloutBatch) throws -> (logProbs: [Float], values: [Float]) {
        let scored = try policy.scoreTokens(batch.tokens, targets: batch.targets, temperature: settings.temperature,
                                            values: critic == nil)
        if let critic { return (scored.logProbs, try critic.tokenScores(batch.tokens, training: false)) }
        return (scored.logProbs, scored.values ?? [])
    }

    /// `ppo_epochs` passes of shuffled minibatches over `batch`; every array [B·T] as `RolloutBatch` lays
    /// them out (old log-probs and values from `score`, advantages and returns from GAE or a critic-free
    /// estimator).
    public func update(_ batch: RolloutBatch, oldLogProbs: [Float], oldValues: [Float], advantages: [Float],
                       returns: [Float]) throws -> PPOUpdateStatistics {
        let n = batch.rows * batch.length
        for (name, array) in [("oldLogProbs", oldLogProbs), ("oldValues", oldValues), ("advantages", advantages),
                              ("returns", returns)] {
            try PPOInputError.check(array.count == n, name, expected: n, got: array.count)
        }
        var stats = PPOUpdateStatistics()
        let size = max(1, min(settings.miniBatchSize, batch.rows))
        for _ in 0..<settings.ppoEpochs {
            let order = shuffle.shuffled(Array(0..<batch.rows))
            for start in stride(from: 0, to: order.count, by: size) {
                let rows = Array(order[start..<min(start + size, order.count)])
                try step(batch.rows(rows), rows: rows, in: batch, oldLogProbs: oldLogProbs, oldValues: oldValues,
                         advantages: advantages, returns: returns, into: &stats)
            }
        }
        let count = Double(max(stats.minibatches, 1))
        for keyPath in [\PPOUpdateStatistics.policyLoss, \.valueLoss, \.totalLoss, \.clipFraction, \.valueClipFraction,
                        \.approxKL, \.policyKL, \.meanRatio, \.entropy, \.gradNorm, \.criticGradNorm] {
            stats[keyPath: keyPath] /= count
        }
        return stats
    }

    private func step(_ minibatch: RolloutBatch, rows: [Int], in batch: RolloutBatch, oldLogProbs: [Float],
                      oldValues: [Float], advantages: [Float], returns: [Float],
                      into stats: inout PPOUpdateStatistics) throws {
        let loss = try minibatchLoss(minibatch, rows: rows, in: batch, oldLogProbs: oldLogProbs, oldValues: oldValues,
                                     advantages: advantages, returns: returns)
        stats.minibatches += 1
        stats.policyLoss += loss.policy; stats.valueLoss += loss.value; stats.totalLoss += loss.total
        stats.clipFraction += loss.clipFraction; stats.valueClipFraction += loss.valueClipFraction
        stats.approxKL += loss.approxKL; stats.policyKL += loss.policyKL
        stats.meanRatio += loss.meanRatio; stats.entropy += loss.entropy
        guard loss.meanRatio <= settings.ratioThreshold else {
            stats.skipped += 1  // TRL zeroes such a minibatch's loss: no step of the actor nor of the critic
            return
        }
        try backward(loss, minibatch: minibatch)
        do {
            try NonFiniteStepError.check(trainer: "PPO", loss: Double(loss.total),
                                         gradientNorm: GradientClipping.globalNorm(of: actorStores + criticStores))
        } catch {
            for store in actorStores + criticStores { store.zeroGradients() }
            throw error
        }
        stats.gradNorm += clip(actorStores)
        optimizer.step()
        if let criticOptimizer {
            stats.criticGradNorm += clip(criticStores)
            criticOptimizer.step()
        }
        for store in actorStores + criticStores { store.zeroGradients() }
    }

    /// Training forwards of the policy (and the critic) on `minibatch` and its PPO loss; every gathered
    /// array [b·T] for the minibatch's rows of `batch`.
    func minibatchLoss(_ minibatch: RolloutBatch, rows: [Int], in batch: RolloutBatch, oldLogProbs: [Float],
                       oldValues: [Float], advantages: [Float], returns: [Float]) throws -> PPOLoss {
        try policy.forward(minibatch.tokens, training: true)
        let probs = try policy.tokenLogProbs(targets: minibatch.targets, temperature: settings.temperature, entropy: true)
        let values = try critic?.tokenScores(minibatch.tokens, training: true) ?? policy.values()
        return try PPOLoss(logProbs: probs.logProbs, oldLogProbs: batch.gather(oldLogProbs, rows: rows),
                           advantages: batch.gather(advantages, rows: rows), values: values,
                           oldValues: batch.gather(oldValues, rows: rows), returns: batch.gather(returns, rows: rows),
                           mask: minibatch.responseMask, entropy: probs.entropy, clipRange: settings.clipRange,
                           valueClipRange: settings.valueClipRange, valueCoefficient: settings.valueCoefficient,
                           entropyCoefficient: settings.entropyCoefficient)
    }

    /// Accumulates `loss`'s gradients (after `minibatchLoss` on `minibatch`): the policy's into its trunk
    /// (and value head), the value gradient [b·T] into the critic when there is one.
    func backward(_ loss: PPOLoss, minibatch: RolloutBatch) throws {
        try policy.backward(PolicyGradients(targets: minibatch.targets, logProbs: loss.dLogProbs,
                                            entropy: settings.entropyCoefficient != 0 ? loss.dEntropy : nil,
                                            temperature: settings.temperature,
                                            values: critic == nil ? loss.dValues : nil))
        try critic?.backward(tokenScores: loss.dValues)
    }

    /// The actor's stores: the trunk (or its LoRA adapter), and the value head when it has one.
    var actorStores: [ParameterStore] { optimizer.groups.map(\.store) }

    /// Clips `stores`' global gradient norm by `max_grad_norm` when set; returns the norm before.
    private func clip(_ stores: [ParameterStore]) -> Double {
        settings.maxGradNorm.map { GradientClipping.clipGlobalNorm(of: stores, maxNorm: $0) }
            ?? GradientClipping.globalNorm(of: stores)
    }
}
