import ClusterCore
import Models
import Tensor
import Training
import Wire

/// The learner's work once an iteration's ledger is complete: lay the rollouts out in task order, score
/// them with the policy (old log-probs and values, once), build the KL-penalised rewards against the
/// reference, estimate advantages (GAE, RLOO or GRPO), run the PPO epochs, update the KL controller,
/// and report the iteration's metrics under TRL's names.
package final class PPOLearnerStep: @unchecked Sendable {
    /// The PPO update (policy, value head, optimizer, shuffling stream).
    package let update: PPOUpdate
    /// The KL coefficient's controller (checkpointed).
    package var klController: KLController
    /// How advantages are estimated, and k samples per prompt for the critic-free ones.
    package let advantage: AdvantageEstimator, samplesPerPrompt: Int
    /// Added to the score of a response without a stop token (nil = none).
    package let noEOSPenalty: Double?
    /// Token used for padding.
    package let padID: Int

    /// A step over `update`'s policy.
    package init(update: PPOUpdate, klController: KLController, advantage: AdvantageEstimator = .gae,
                samplesPerPrompt: Int = 1, noEOSPenalty: Double? = nil, padID: Int) {
        self.update = update
        self.klController = klController
        self.advantage = advantage
        self.samplesPerPrompt = samplesPerPrompt
        self.noEOSPenalty = noEOSPenalty
        self.padID = padID
    }

    /// Learns from one iteration's complete records (in task order); returns its metrics.
    /// `behaviourRatio`: the rollouts were sampled with an older policy version (`max_staleness > 0`),
    /// so the importance ratio is taken against the generators' behaviour log-probs; otherwise against
    /// the policy's own log-probs, recomputed here as TRL does. The KL penalty is always the current
    /// policy's against the reference.
    package func learn(from entries: [IterationLedger.Entry], behaviourRatio: Bool = false) throws -> [String: Double] {
        var queries: [[Int]] = [], responses: [[Int]] = [], referenceRows: [[Float]] = [], behaviourRows: [[Float]] = []
        var scores: [Float] = [], stopped: [Bool] = []
        for entry in entries {
            guard let rollout = entry.rollout, let reference = entry.reference, let scored = entry.scores else {
                throw MessageError.shape(task: entry.task.id, what: "an incomplete record reached the learner")
            }
            queries += entry.task.prompts
            responses += rollout.responses
            referenceRows += reference.logProbs
            behaviourRows += rollout.logProbs
            scores += scored.scores
            stopped += rollout.stopped
        }
        let rawScores = scores
        if let penalty = noEOSPenalty {
            for i in scores.indices where !stopped[i] { scores[i] += Float(penalty) }
        }
        let batch = try RolloutBatch(queries: queries, responses: responses, padID: padID)
        let (B, T) = (batch.rows, batch.length)
        let old = try update.score(batch)
        let start = (queries.map(\.count).max() ?? 1) - 1
        let referenceLogProbs = Self.aligned(referenceRows, rows: B, length: T, start: start)  // [B·T]
        let ratioLogProbs = behaviourRatio ? Self.aligned(behaviourRows, rows: B, length: T, start: start) : old.logProbs
        let beta = klController.coefficient
        let rewards = try TokenRewards(scores: scores, logProbs: old.logProbs, referenceLogProbs: referenceLogProbs,
                                       mask: batch.responseMask, klCoefficient: beta, rows: B, length: T)
        let (advantages, returns) = try estimate(rewards: rewards, scores: scores, batch: batch, values: old.values)
        let stats = try update.update(batch, oldLogProbs: ratioLogProbs, oldValues: old.values, advantages: advantages,
                                      returns: returns)
        let sequenceKL = rewards.sequenceKL(rows: B, length: T)
        let meanKL = sequenceKL.reduce(0, +) / Double(B)
        klController.update(kl: meanKL, sequences: B)
        var metrics = metrics(scores: rawScores, stats: stats, meanKL: meanKL, beta: beta, responses: responses, stopped: stopped,
                       values: old.values, returns: returns, mask: batch.responseMask)
        // a separate critic is clipped on its own; a value head's gradient is inside ppo/grad_norm
        if update.critic != nil { metrics["ppo/val/grad_norm"] = stats.criticGradNorm }
        return metrics
    }

    /// Per-response-token rows laid out as [B·T] at the batch's response positions (zero elsewhere).
    private static func aligned(_ rows: [[Float]], rows B: Int, length T: Int, start: Int) -> [Float] {
        var out = [Float](repeating: 0, count: B * T)
        for (b, row) in rows.enumerated() {
            for (j, value) in row.enumerated() { out[b * T + start + j] = value }
        }
        return out
    }

    /// Per-token advantages and value targets [B·T].
    private func estimate(rewards: TokenRewards, scores: [Float], batch: RolloutBatch, values: [Float]) throws
        -> (advantages: [Float], returns: [Float]) {
        let settings = update.settings
        switch advantage {
        case .gae:
            let gae = try GeneralizedAdvantage(values: values, rewards: rewards.rewards, mask: batch.responseMask,
                                               gamma: settings.gamma, lambda: settings.lambda,
                                               whitenRewards: settings.whitenRewards, rows: batch.rows, length: batch.length)
            return (gae.advantages, gae.returns)
        case .rloo, .grpo:
            // the sequence reward is the score plus the summed per-token penalty, as TRL's RLOO trainer does
            let T = batch.length
            let sequenceRewards = (0..<batch.rows).map { b in
                (0..<T).reduce(Double(scores[b])) { $0 + Double(rewards.penalties[b * T + $1]) }
            }
            let perSequence = advantage == .rloo
                ? try CriticFreeAdvantages.rloo(rewards: sequenceRewards, samplesPerPrompt: samplesPerPrompt)
                : try CriticFreeAdvantages.grpo(rewards: sequenceRewards, samplesPerPrompt: samplesPerPrompt)
            let advantages = (0..<(batch.rows * T)).map { Float(perSequence[$0 / T]) * batch.responseMask[$0] }
            return (advantages, values)  // no critic: value targets are its own outputs (zero value loss)
        }
    }

    private func metrics(scores: [Float], stats: PPOUpdateStatistics, meanKL: Double, beta: Double, responses: [[Int]],
                         stopped: [Bool], values: [Float], returns: [Float], mask: [Float]) -> [String: Double] {
        let n = Double(scores.count)
        let mean = scores.reduce(0.0) { $0 + Double($1) } / n
        let variance = scores.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / max(n - 1, 1)
        let residual = zip(returns, values).map { $0 - $1 }
        let returnVariance = MaskedStatistics.variance(returns, mask: mask)
        let explained = returnVariance > 0 ? 1 - MaskedStatistics.variance(residual, mask: mask) / returnVariance : 0
        return [
            "env/reward_mean": mean, "env/reward_std": variance.squareRoot(),
            "objective/kl": meanKL, "objective/kl_coef": beta, "objective/entropy": stats.entropy,
            "ppo/policy/approxkl": stats.approxKL, "ppo/policy/policykl": stats.policyKL,
            "ppo/policy/clipfrac": stats.clipFraction, "ppo/val/clipfrac": stats.valueClipFraction,
            "ppo/loss/policy": stats.policyLoss, "ppo/loss/value": stats.valueLoss, "ppo/loss/total": stats.totalLoss,
            "ppo/val/var_explained": explained, "ppo/policy/ratio_mean": stats.meanRatio, "ppo/grad_norm": stats.gradNorm,
            "ppo/minibatches_skipped": Double(stats.skipped),
            "env/response_length": responses.reduce(0.0) { $0 + Double($1.count) } / n,
            "env/eos_rate": Double(stopped.filter { $0 }.count) / n,
        ]
    }
}
