import Foundation
import ModelIO
import Models
import RunLogs
import Tensor
import Training

/// The settings of a reward-model run (`rlhf reward train`'s flags).
public struct RewardTrainingSettings: Sendable, Equatable {
    /// Passes over the training data.
    public var epochs = 1
    /// Peak learning rate (AdamW, weight decay 0.01, 10% linear warm-up, then constant).
    public var learningRate = 2e-5
    /// Pairs (or labelled texts) per optimizer step.
    public var batch = 8
    /// Bradley-Terry margin m: the loss is −log σ(r_chosen − r_rejected − m).
    public var margin = 0.0
    /// The global gradient norm is clipped to this (nil: no clipping).
    public var maxGradNorm: Double? = 1
    /// Tokens per text at most (the start is cut, special tokens kept).
    public var maxLength = 256
    /// Seed of the shuffling.
    public var seed: UInt64 = 0

    /// The defaults of `rlhf reward train`.
    public init() {}
}

/// What a reward-model run reached (the JSON line of `rlhf reward train --json`).
public struct RewardTrainResult: Encodable, Sendable {
    /// Held-out accuracy and loss after and before training (nil without held-out examples).
    public let eval_accuracy: Double?, eval_loss: Double?, eval_accuracy_before: Double?, eval_loss_before: Double?
    /// The mean training loss, optimizer steps, examples trained on and held out, and examples cut to the model's length.
    public let train_loss: Double, steps: Int, train_examples: Int, eval_examples: Int, truncated: Int
    /// Wall seconds of each epoch.
    public let epoch_seconds: [Double]
    /// The pooling the trained model reads (`cls`, `mean` or `last`).
    public let pooling: String
}

/// Trains a reward model (a sequence classifier with one label) on preference pairs with the Bradley-Terry
/// loss, or on labelled texts with binary cross-entropy, measuring the held-out loss and accuracy before and
/// after and writing each step's metrics to `metrics.jsonl`.
public final class RewardModelTrainer {
    /// The settings the trainer was made with.
    public let settings: RewardTrainingSettings
    /// The classifier trained in place.
    public let model: SequenceClassifier
    private let train: TokenizedRewardData, held: TokenizedRewardData
    private let update: RewardModelUpdate
    private let padID: Int
    private let schedule: LearningRateSchedule

    /// A run training `model` on `train`, measured on `heldOut`, the texts encoded with `tokenizer`.
    public init(model: SequenceClassifier, tokenizer: any Tokenizer, train texts: RewardTexts, heldOut: RewardTexts,
                settings: RewardTrainingSettings) throws {
        self.settings = settings
        self.model = model
        let maxLength = min(settings.maxLength, model.config.maxPositions)
        train = TokenizedRewardData(texts, tokenizer: tokenizer, maxLength: maxLength)
        held = TokenizedRewardData(heldOut, tokenizer: tokenizer, maxLength: maxLength)
        let steps = (train.count + settings.batch - 1) / settings.batch * settings.epochs
        schedule = LearningRateSchedule.constant(settings.learningRate, warmupSteps: steps / 10)
        padID = model.padTokenID ?? 0
        update = try RewardModelUpdate(model: model, optimizer: AdamWConfig(schedule: schedule, weightDecay: 0.01),
                                       padID: padID, maxGradNorm: settings.maxGradNorm)
    }

    /// Optimizer steps of the whole run.
    public var totalSteps: Int { (train.count + settings.batch - 1) / settings.batch * settings.epochs }

    /// Trains, each step's metrics to `metrics`; `progress` hears of each step.
    public func run(metrics url: URL, progress: (ProgressReport) -> Void = { _ in }) throws -> RewardTrainResult {
        let margin = settings.margin
        let before = try held.evaluate(model, padID: padID, batch: 2 * settings.batch, margin: margin)
        let metrics = try MetricsJSONLWriter(url: url)
        var shuffle = SplitMix64(seed: settings.seed)
        var step = 0, trainLoss = 0.0, epochSeconds: [Double] = []
        for epoch in 0..<settings.epochs {
            let started = ContinuousClock.now
            let order = shuffle.shuffled(Array(0..<train.count))
            var seen = 0, right = 0.0
            for start in stride(from: 0, to: order.count, by: settings.batch) {
                let indices = Array(order[start..<min(start + settings.batch, order.count)])
                let stats: RewardModelUpdate.Statistics
                switch train.rows {
                case let .pairs(chosen, rejected):
                    stats = try update.step(chosen: indices.map { chosen[$0] }, rejected: indices.map { rejected[$0] },
                                            margins: margin == 0 ? nil : Array(repeating: margin, count: indices.count))
                case let .labelled(texts, labels):
                    stats = try update.step(texts: indices.map { texts[$0] }, labels: indices.map { labels[$0] })
                }
                step += 1
                seen += indices.count
                right += stats.accuracy * Double(indices.count)
                trainLoss = stats.loss
                let values = ["step": Double(step), "epoch": Double(epoch) + Double(seen) / Double(order.count), "loss": stats.loss,
                              "accuracy": stats.accuracy, "grad_norm": stats.gradNorm, "learning_rate": stats.learningRate]
                try metrics.write(values)
                progress(ProgressReport(done: step, total: totalSteps, note: String(format: "loss %.4f  running acc %.3f", stats.loss, right / Double(seen)),
                                        values: values))
            }
            epochSeconds.append((ContinuousClock.now - started).inSeconds)
        }
        let after = try held.evaluate(model, padID: padID, batch: 2 * settings.batch, margin: margin)
        if let after { try metrics.write(["step": Double(step), "eval_loss": after.loss, "eval_accuracy": after.accuracy]) }
        if let name = model.parameters.firstNonFiniteTensor() ?? model.head.parameters.firstNonFiniteTensor() {
            throw DivergedWeightsError(tensor: name)
        }
        return RewardTrainResult(eval_accuracy: after?.accuracy, eval_loss: after?.loss, eval_accuracy_before: before?.accuracy,
                                 eval_loss_before: before?.loss, train_loss: trainLoss, steps: step, train_examples: train.count,
                                 eval_examples: held.count, truncated: train.truncated + held.truncated, epoch_seconds: epochSeconds,
                                 pooling: model.pooling.rawValue)
    }
}

/// What a reward model scores on held-out data (the JSON line of `rlhf reward eval --json`).
public struct RewardEvalResult: Encodable, Sendable {
    /// Accuracy and loss over the examples scored, how many there were, and how many were cut to the model's length.
    public let eval_accuracy: Double, eval_loss: Double, eval_examples: Int, truncated: Int
}

extension RewardModel {
    /// The held-out loss and accuracy of this model on `texts` (`margin` as in training), scored `batch` rows a
    /// pass, each text cut to `maxLength` tokens; nil for no texts.
    public func evaluate(_ texts: RewardTexts, maxLength: Int, batch: Int, margin: Double) throws -> RewardEvalResult? {
        guard let tokenizer else { throw ModelBundleError.noTokenizer(model: "the reward model") }
        let held = TokenizedRewardData(texts, tokenizer: tokenizer, maxLength: min(maxLength, classifier.config.maxPositions))
        guard held.count > 0, let result = try held.evaluate(classifier, padID: classifier.padTokenID ?? 0, batch: batch, margin: margin) else {
            return nil
        }
        return RewardEvalResult(eval_accuracy: result.accuracy, eval_loss: result.loss, eval_examples: held.count, truncated: held.truncated)
    }
}
