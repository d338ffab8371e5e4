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

    @OptionGroup var schedule: ScheduleOptions<RewardFlags>

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
        try compute.apply()
        _ = try outputRule.check(replacing: true)
        let (classifier, textTokenizer) = try RewardBackbone.load(path: model, tokenizerPath: tokenizer, pooling: pooling, seed: data.seed)
        let folder = try outputRule.stage()
        defer { folder.discard() }
        let (trainTexts, evalTexts, skipped) = try data.split()
        if skipped > 0 { CommandWarning.emit("skipped \(skipped) malformed lines of \(data.data)") }
        guard trainTexts.count > 0 else { throw CommandInputError.flags("\(data.data) holds no training examples") }
        var settings = RewardTrainingSettings()
        (settings.epochs, settings.learningRate, settings.batch, settings.margin) = (schedule.epochs, schedule.lr, schedule.batch, margin)
        (settings.maxGradNorm, settings.maxLength, settings.seed) = (maxGradNorm > 0 ? maxGradNorm : nil, data.maxLen, data.seed)
        let trainer = try RewardModelTrainer(model: classifier, tokenizer: textTokenizer, train: trainTexts, heldOut: evalTexts, settings: settings)
        let progress = ProgressLine(label: "reward \(data.format.rawValue)", total: trainer.totalSteps)
        let result = try trainer.run(metrics: folder.staging.appendingPathComponent("metrics.jsonl"), progress: progress.reporter)
        progress.finish()
        try HFSequenceClassifier.save(classifier, to: folder.staging)
        try RewardBackbone.writeTokenizer(textTokenizer, from: model, tokenizerPath: tokenizer, to: folder.staging,
                                          maxPositions: classifier.config.maxPositions)
        try folder.commit()
        if json {
            try StandardOutput.line(try JSONOutput.line(result))
        } else {
            let accuracy = result.eval_accuracy.map { String(format: "%.4f", $0) } ?? "n/a (no held-out data)"
            try StandardOutput.line(String(format: "reward train: %d steps on %d examples (%.1f s an epoch); held-out (%d) loss %@ → %@; held-out accuracy %@; wrote %@",
                                           result.steps, result.train_examples, result.epoch_seconds.last ?? 0, result.eval_examples,
                                           result.eval_loss_before.map { String(format: "%.4f", $0) } ?? "n/a",
                                           result.eval_loss.map { String(format: "%.4f", $0) } ?? "n/a", accuracy, output))
        }
    }
}

extension RewardPooling: ExpressibleByArgument {}
