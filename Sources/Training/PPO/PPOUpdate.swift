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
    /// Global gradient norm before clipping, averaged.
    public var gradNorm = 0.0
    /// Minibatches trained on, and skipped for a mean ratio above `ratio_threshold`.
    public var minibatches = 0, skipped = 0
}

/// The learner's update: several epochs of shuffled minibatches of the clipped PPO loss on a policy with
/// a value head, stepping one AdamW over the trunk and the head (two parameter groups), with global
/// gradient-norm clipping over both. Old log-probs and values are computed once, before the epochs
/// (`score`); the shuffling stream is part of the learner's state (`shuffle`), so a resumed run repeats it.
public final class PPOUpdate: @unchecked Sendable {
    /// The policy (its value head attached).
    public let policy: CausalLM
    /// Its value head.
    public let valueHead: ScalarHead
    /// AdamW over the trunk and the value head.
    public let optimizer: AdamW
    /// Settings.
    public let settings: PPOHyperparameters
    /// The stream minibatches are shuffled with (save it in checkpoints).
    public var shuffle: SplitMix64

    /// An update for `policy` (a zero-initialised value head is attached when it has none).
    public init(policy: CausalLM, settings: PPOHyperparameters, seed: UInt64) throws {
        self.policy = policy
        valueHead = policy.valueHead ?? policy.attachValueHead()
        self.settings = settings
        let adam = AdamWConfig(schedule: .constant(settings.learningRate), weightDecay: 0)
        optimizer = try AdamW(groups: [(policy.parameters, adam), (valueHead.parameters, adam)])
        shuffle = SplitMix64(seed: seed)
    }

    /// Old log-probs (at the sampling temperature) and values of every position of `batch`, in one
    /// inference pass that keeps no logits.
    public func score(_ batch: RolloutBatch) throws -> (logProbs: [Float], values: [Float]) {
        let scored = try policy.scoreTokens(batch.tokens, targets: batch.targets, temperature: settings.temperature,
                                            values: true)
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
                        \.approxKL, \.policyKL, \.meanRatio, \.entropy, \.gradNorm] {
            stats[keyPath: keyPath] /= count
        }
        return stats
    }

    private func step(_ minibatch: RolloutBatch, rows: [Int], in batch: RolloutBatch, oldLogProbs: [Float],
                      oldValues: [Float], advantages: [Float], returns: [Float],
                      into stats: inout PPOUpdateStatistics) throws {
        try policy.forward(minibatch.tokens, training: true)
        let probs = try policy.tokenLogProbs(targets: minibatch.targets, temperature: settings.temperature, entropy: true)
        let values = try policy.values()
        let loss = try PPOLoss(logProbs: probs.logProbs, oldLogProbs: batch.gather(oldLogProbs, rows: rows),
                               advantages: batch.gather(advantages, rows: rows), values: values,
                               oldValues: batch.gather(oldValues, rows: rows), returns: batch.gather(returns, rows: rows),
                               mask: minibatch.responseMask, entropy: probs.entropy, clipRange: settings.clipRange,
                               valueClipRange: settings.valueClipRange, valueCoefficient: settings.valueCoefficient,
                               entropyCoefficient: settings.entropyCoefficient)
        stats.minibatches += 1
        stats.policyLoss += loss.policy; stats.valueLoss += loss.value; stats.totalLoss += loss.total
        stats.clipFraction += loss.clipFraction; stats.valueClipFraction += loss.valueClipFraction
        stats.approxKL += loss.approxKL; stats.policyKL += loss.policyKL
        stats.meanRatio += loss.meanRatio; stats.entropy += loss.entropy
        guard loss.meanRatio <= settings.ratioThreshold else {
            stats.skipped += 1  // TRL zeroes such a minibatch's loss: no step
            return
        }
        try policy.backward(PolicyGradients(targets: minibatch.targets, logProbs: loss.dLogProbs,
                                            entropy: settings.entropyCoefficient != 0 ? loss.dEntropy : nil,
                                            temperature: settings.temperature, values: loss.dValues))
        let stores = [policy.parameters, valueHead.parameters]
        stats.gradNorm += settings.maxGradNorm.map { GradientClipping.clipGlobalNorm(of: stores, maxNorm: $0) }
            ?? GradientClipping.globalNorm(of: stores)
        optimizer.step()
        for store in stores { store.zeroGradients() }
    }
}
