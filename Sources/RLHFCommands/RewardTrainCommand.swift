import ArgumentParser
import Foundation
import ModelIO
import Models
import RunLogs
import Tensor
import Trainers
import Training

/// `rlhf reward train`: trains a reward model (a sequence classifier with one label) on preference pairs
/// with the Bradley-Terry loss, or on labelled texts with binary cross-entropy, from a backbone under a
/// fresh head or a saved classifier. It measures the held-out loss and accuracy before and after, writes
/// each step's metrics to `OUTPUT/metrics.jsonl` and the model to OUTPUT as a Hugging Face folder that
/// `transformers` loads as the same sequence classifier, with its tokenizer.
struct RewardTrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a reward model on preference pairs (Bradley-Terry) or labelled texts (binary cross-entropy).")

    @Option(help: ArgumentHelp("The start: a Hugging Face backbone (a causal LM or BertModel, under a fresh head) or a saved sequence classifier.",
                               valueName: "dir"))
    var model: String

    @Option(help: "Tokenizer file or folder (default: the model folder's own).")
    var tokenizer: String?

    @OptionGroup var data: RewardDataOptions

    @Option(help: "Passes over the training data.")
    var epochs: Int = 1

    @Option(help: "Peak learning rate (AdamW, weight decay 0.01, 10% linear warm-up, then constant).")
    var lr: Double = 2e-5

    @Option(help: "Pairs (or labelled texts) per optimizer step.")
    var batch: Int = 8

    @Option(help: "Which hidden state the head reads: cls (BERT's pooled [CLS]), mean (of the real tokens) or last (the last real token); default: the model's own.")
    var pooling: RewardPooling?

    @Option(help: "Bradley-Terry margin m: the loss is −log σ(r_chosen − r_rejected − m).")
    var margin: Double = 0

    @Option(help: "Clip the global gradient norm to this (0: no clipping).")
    var maxGradNorm: Double = 1

    @Option(help: "The folder the reward model and metrics.jsonl go to.")
    var output: String

    @OptionGroup var replace: ForceOption

    @Flag(help: "Print the final numbers as one JSON line.")
    var json = false

    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        try TrainingFlagChecks.schedule(epochs: epochs, lr: lr, batch: batch)
        guard margin.isFinite, abs(margin) <= 100 else { throw ValidationError("--margin must be finite, at most 100 in size") }
        guard maxGradNorm >= 0, maxGradNorm.isFinite else { throw ValidationError("--max-grad-norm must be 0 or positive") }
        guard !output.isEmpty else { throw ValidationError("--output is empty; name the folder") }
        if data.format == .imdb && margin != 0 { throw ValidationError("--margin goes with pairs; --format imdb trains on labels") }
    }

    /// The rule `--output` is written under.
    var outputRule: OutputFolder {
        OutputFolder(output, flag: "--output", command: "reward train", force: replace.force,
                     inputs: [InputPath("--model", model)] + (tokenizer.map { [InputPath("--tokenizer", $0)] } ?? []) + data.inputs)
    }

    func run() async throws {
        compute.apply()
        _ = try outputRule.check(replacing: true)
        let (classifier, textTokenizer) = try RewardBackbone.load(path: model, tokenizerPath: tokenizer, pooling: pooling, seed: data.seed)
        let folder = try outputRule.stage()
        defer { folder.discard() }
        let (trainTexts, evalTexts, skipped) = try data.split()
        if skipped > 0 { CommandWarning.emit("skipped \(skipped) malformed lines of \(data.data)") }
        guard trainTexts.count > 0 else { throw CommandInputError.flags("\(data.data) holds no training examples") }
        let maxLength = min(data.maxLen, classifier.config.maxPositions)
        let train = TokenizedRewardData(trainTexts, tokenizer: textTokenizer, maxLength: maxLength)
        let held = TokenizedRewardData(evalTexts, tokenizer: textTokenizer, maxLength: maxLength)
        let stepsPerEpoch = (train.count + batch - 1) / batch
        let total = stepsPerEpoch * epochs
        let schedule = LearningRateSchedule.constant(lr, warmupSteps: total / 10)
        let padID = classifier.padTokenID ?? 0
        let update = try RewardModelUpdate(model: classifier, optimizer: AdamWConfig(schedule: schedule, weightDecay: 0.01),
                                           padID: padID, maxGradNorm: maxGradNorm > 0 ? maxGradNorm : nil)
        let before = try held.evaluate(classifier, padID: padID, batch: 2 * batch, margin: margin)
        let metrics = try MetricsJSONLWriter(url: folder.staging.appendingPathComponent("metrics.jsonl"))
        let progress = ProgressLine(label: "reward \(data.format.rawValue)", total: total)
        var shuffle = SplitMix64(seed: data.seed)
        var step = 0, trainLoss = 0.0, epochSeconds: [Double] = []
        for epoch in 0..<epochs {
            let started = ContinuousClock.now
            let order = shuffle.shuffled(Array(0..<train.count))
            var seen = 0, right = 0.0
            for start in stride(from: 0, to: order.count, by: batch) {
                let indices = Array(order[start..<min(start + batch, order.count)])
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
                try metrics.write(["step": Double(step), "epoch": Double(epoch) + Double(seen) / Double(order.count),
                                   "loss": stats.loss, "accuracy": stats.accuracy, "grad_norm": stats.gradNorm,
                                   "learning_rate": stats.learningRate])
                progress.update(step, note: String(format: "loss %.4f  running acc %.3f", stats.loss, right / Double(seen)))
            }
            epochSeconds.append((ContinuousClock.now - started).inSeconds)
        }
        progress.finish()
        let after = try held.evaluate(classifier, padID: padID, batch: 2 * batch, margin: margin)
        if let after {
            try metrics.write(["step": Double(step), "eval_loss": after.loss, "eval_accuracy": after.accuracy])
        }
        if let name = classifier.parameters.firstNonFiniteTensor() ?? classifier.head.parameters.firstNonFiniteTensor() {
            throw CommandInputError.nonFiniteWeights(tensor: name, why: "the run diverged (lower --lr)")
        }
        try HFSequenceClassifier.save(classifier, to: folder.staging)
        try RewardBackbone.writeTokenizer(textTokenizer, from: model, tokenizerPath: tokenizer, to: folder.staging,
                                          maxPositions: classifier.config.maxPositions)
        try folder.commit()
        let result = RewardTrainResult(eval_accuracy: after?.accuracy, eval_loss: after?.loss, eval_accuracy_before: before?.accuracy,
                                       eval_loss_before: before?.loss, train_loss: trainLoss, steps: step,
                                       train_examples: train.count, eval_examples: held.count, truncated: train.truncated + held.truncated,
                                       epoch_seconds: epochSeconds, pooling: classifier.pooling.rawValue)
        if json {
            try StandardOutput.line(try JSONOutput.line(result))
        } else {
            let accuracy = after.map { String(format: "%.4f", $0.accuracy) } ?? "n/a (no held-out data)"
            try StandardOutput.line(String(format: "reward train: %d steps on %d examples (%.1f s an epoch); held-out (%d) loss %@ → %@; held-out accuracy %@; wrote %@",
                                           step, train.count, epochSeconds.last ?? 0, held.count,
                                           before.map { String(format: "%.4f", $0.loss) } ?? "n/a",
                                           after.map { String(format: "%.4f", $0.loss) } ?? "n/a", accuracy, output))
        }
    }
}

/// The JSON line of `rlhf reward train --json`.
struct RewardTrainResult: Encodable {
    let eval_accuracy: Double?, eval_loss: Double?, eval_accuracy_before: Double?, eval_loss_before: Double?
    let train_loss: Double, steps: Int, train_examples: Int, eval_examples: Int, truncated: Int
    let epoch_seconds: [Double]
    let pooling: String
}

extension RewardPooling: ExpressibleByArgument {}
