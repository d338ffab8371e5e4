import Datasets
import Foundation
import ModelIO
import Models
import RunLogs
import Tensor
import Training

/// The settings of a DPO (or IPO) run (`rlhf dpo`'s flags).
public struct DPOSettings: Sendable, Equatable {
    /// Passes over the training pairs.
    public var epochs = 1
    /// Peak learning rate (AdamW, weight decay 0.01, 10% linear warm-up, then constant).
    public var learningRate = 5e-6
    /// Pairs per optimizer step.
    public var batch = 8
    /// Pairs whose activations are held at once (a step accumulates its batch over chunks of this many).
    public var microBatch = 1
    /// Tokens per sequence at most: the prompt is cut from the left, then the responses from the right.
    public var maxLength = 512
    /// Seed of the shuffling.
    public var seed: UInt64 = 0
    /// The loss's strength β.
    public var beta = 0.1
    /// DPO's sigmoid loss, or IPO's.
    public var loss = DPOLossKind.sigmoid

    /// The defaults of `rlhf dpo`.
    public init() {}
}

/// What a DPO run reached (the JSON line of `rlhf dpo --json`; the held-out numbers are left out without
/// held-out pairs).
public struct DPOResult: Encodable, Sendable {
    /// Pairs trained on and held out, and optimizer steps taken.
    public let train_pairs: Int, eval_pairs: Int, steps: Int
    /// The mean training loss, and the held-out loss and accuracy before training.
    public let train_loss: Double, eval_loss_before: Double?, eval_accuracy_before: Double?
    /// The held-out loss, accuracy and reward margin after training (nil without held-out pairs).
    public let eval_loss: Double?, eval_accuracy: Double?, eval_margin: Double?
}

/// Direct preference optimisation (or IPO) of a causal LM on preference pairs against a frozen copy of
/// itself. The reference's log-probs are taken once before the first step; each step's metrics go to
/// `metrics.jsonl` under TRL's names; the held-out loss, reward accuracy and margin are measured before and
/// after. With an adapter only the adapter trains, and the reference is the frozen base itself (the same
/// weights without the adapter, so no second copy of them).
public final class DPOTrainer {
    /// The settings the trainer was made with.
    public let settings: DPOSettings
    /// The policy trained (its adapter, when one is attached).
    public let policy: CausalLM
    /// The LoRA adapter that trains, when the settings ask for one (the base stays frozen).
    public let adapter: LoRAAdapter?
    private var train: TokenizedPairs, held: TokenizedPairs
    private let update: DPOUpdate
    private let padID: Int
    private let schedule: LearningRateSchedule

    /// A run training `policy` (or its attached `adapter`) on `train`, measured on `heldOut`, the texts
    /// encoded with `tokenizer`; `eos` ends each response and pads.
    public init(policy: CausalLM, adapter: LoRAAdapter?, tokenizer: any Tokenizer, eos: Int?, train pairs: [PreferencePair],
                heldOut: [PreferencePair], settings: DPOSettings) throws {
        self.settings = settings
        self.policy = policy
        self.adapter = adapter
        train = TokenizedPairs(pairs, tokenizer: tokenizer, eos: eos, maxLength: settings.maxLength)
        held = TokenizedPairs(heldOut, tokenizer: tokenizer, eos: eos, maxLength: settings.maxLength)
        padID = eos ?? 0
        let steps = (train.count + settings.batch - 1) / settings.batch * settings.epochs
        schedule = LearningRateSchedule.constant(settings.learningRate, warmupSteps: steps / 10)
        let reference = CausalLM(config: policy.config, parameters: adapter == nil ? policy.parameters.copy() : policy.parameters)
        update = try DPOUpdate(policy: policy, reference: reference, optimizer: AdamWConfig(schedule: schedule, weightDecay: 0.01),
                               beta: settings.beta, kind: settings.loss)
    }

    /// Optimizer steps of the whole run, and the pairs scored by the reference first.
    public var totalSteps: Int { (train.count + settings.batch - 1) / settings.batch * settings.epochs }
    /// The pairs the held-out evaluations and the training pass score in all.
    public var pairsToScore: Int { train.count + held.count }

    /// Scores every pair with the reference (`scoring` hears the pairs done), then trains, each step's
    /// metrics to `metrics`; `progress` hears of each step.
    public func run(metrics url: URL, scoring: (ProgressReport) -> Void = { _ in },
                    progress: (ProgressReport) -> Void = { _ in }) throws -> DPOResult {
        let chunk = settings.microBatch, total = pairsToScore
        // scored in the chunks the policy is scored in, so at the start (policy = reference) every implicit reward is exactly 0
        try train.scoreReference(with: update, size: chunk, padID: padID) { scoring(ProgressReport(done: $0, total: total, note: "reference log-probs")) }
        try held.scoreReference(with: update, size: chunk, padID: padID) { [n = train.count] in
            scoring(ProgressReport(done: n + $0, total: total, note: "reference log-probs"))
        }
        let before = try evaluate(held)
        let metrics = try MetricsJSONLWriter(url: url)
        var shuffle = SplitMix64(seed: settings.seed)
        var step = 0, trainLoss = 0.0
        for epoch in 0..<settings.epochs {
            let order = shuffle.shuffled(Array(0..<train.count))
            for start in stride(from: 0, to: order.count, by: settings.batch) {
                let indices = Array(order[start..<min(start + settings.batch, order.count)])
                let stats = try update.step(chunks: try train.chunks(indices, size: chunk, padID: padID))
                step += 1
                trainLoss = stats.loss
                let values = ["step": Double(step), "epoch": Double(epoch) + Double(start + settings.batch) / Double(order.count),
                              "loss": stats.loss, "rewards/chosen": stats.chosenReward, "rewards/rejected": stats.rejectedReward,
                              "rewards/margins": stats.margin, "rewards/accuracies": stats.accuracy, "grad_norm": stats.gradNorm,
                              "learning_rate": schedule.lr(at: step - 1)]
                try metrics.write(values)
                progress(ProgressReport(done: step, total: totalSteps,
                                        note: String(format: "loss %.4f  acc %.2f  margin %.3f", stats.loss, stats.accuracy, stats.margin),
                                        values: values))
            }
        }
        let after = try evaluate(held)
        if let after {
            try metrics.write(["step": Double(step), "eval/loss": after.loss, "eval/rewards/accuracies": after.accuracy,
                               "eval/rewards/margins": after.margin])
        }
        if let name = policy.parameters.firstNonFiniteTensor() ?? adapter?.parameters.firstNonFiniteTensor() {
            throw DivergedWeightsError(tensor: name)
        }
        return DPOResult(train_pairs: train.count, eval_pairs: held.count, steps: step, train_loss: trainLoss,
                         eval_loss_before: before?.loss, eval_accuracy_before: before?.accuracy, eval_loss: after?.loss,
                         eval_accuracy: after?.accuracy, eval_margin: after?.margin)
    }

    /// The held-out pairs' mean loss, reward accuracy and margin under the policy now (nil without held-out pairs).
    private func evaluate(_ pairs: TokenizedPairs) throws -> (loss: Double, accuracy: Double, margin: Double)? {
        guard pairs.count > 0 else { return nil }
        var loss = 0.0, right = 0.0, margin = 0.0
        for start in stride(from: 0, to: pairs.count, by: settings.microBatch) {
            let indices = Array(start..<min(start + settings.microBatch, pairs.count))
            let (batch, references) = try pairs.batch(indices, padID: padID)
            let result = try update.loss(batch, referenceLogProbs: references)
            let n = Double(indices.count)
            loss += result.loss * n; right += result.accuracy * n; margin += result.margin * n
        }
        let n = Double(pairs.count)
        return (loss / n, right / n, margin / n)
    }
}
