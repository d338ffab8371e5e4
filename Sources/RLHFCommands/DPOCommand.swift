import ArgumentParser
import Datasets
import Foundation
import ModelIO
import Models
import RunLogs
import Tensor
import Trainers
import Training

/// `rlhf dpo`: direct preference optimisation (or IPO) of a causal LM on preference pairs against a
/// frozen copy of itself. The reference's log-probs are taken once before the first step; each step's
/// metrics go to `OUTPUT/metrics.jsonl` under TRL's names; the held-out loss, reward accuracy and margin
/// are measured before and after training; the trained policy is written to OUTPUT as a Hugging Face
/// folder with its tokenizer. With `--lora-rank` only a LoRA adapter is trained: the reference is the
/// frozen base itself (the same weights without the adapter, so no second copy of them), and OUTPUT is
/// the adapter in PEFT's layout with the tokenizer files.
struct DPOCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dpo", abstract: "Train a causal LM on preference pairs with DPO or IPO against its frozen self.")

    @OptionGroup var model: ModelOptions
    @OptionGroup var training: TrainerFlags<DPOFlags>

    @Option(help: "Their format: \(PreferenceFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: PreferenceFormat = .pairs
    @OptionGroup(title: "LoRA") var lora: LoRAOptions

    @Option(help: "The loss's strength β.")
    var beta: Double = 0.1

    @Option(help: "The loss: sigmoid (DPO) or ipo.")
    var loss: DPOLossKind = .sigmoid

    @Option(help: "Pairs whose activations are held at once: a step accumulates its batch's gradient over chunks of this many (the same step, less memory).")
    var microBatch: Int = 1

    @Option(help: "The folder the trained policy and metrics.jsonl go to.")
    var output: String

    @OptionGroup var replace: ForceOption

    @Flag(help: "Print the final numbers as one JSON line.")
    var json = false

    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        guard beta > 0, beta.isFinite, beta <= 1000 else { throw ValidationError("--beta must be positive, at most 1000, got \(beta)") }
        guard !output.isEmpty else { throw ValidationError("--output is empty; name the folder") }
        guard microBatch >= 1, microBatch <= 4096 else { throw ValidationError("--micro-batch must be between 1 and 4096") }
    }

    /// The rule `--output` is written under.
    var outputRule: OutputFolder {
        OutputFolder(output, flag: "--output", command: "dpo", force: replace.force, inputs: model.inputs + training.inputs)
    }

    func run() async throws {
        try compute.apply()
        _ = try outputRule.check(replacing: true)
        let (policy, bundle) = try model.load(needsTokenizer: true)
        guard let tokenizer = bundle.tokenizer else { throw CommandInputError.noTokenizer(model: model.model) }
        let adapter = try lora.attachAdapter(to: policy, seed: training.seed)
        let folder = try outputRule.stage()
        defer { folder.discard() }
        let (trainPairs, evalPairs, skipped) = try training.dataSplit.split(format: format)
        if skipped > 0 { CommandWarning.emit("skipped \(skipped) malformed lines of \(training.data)") }
        var settings = DPOSettings()
        (settings.epochs, settings.learningRate, settings.batch, settings.microBatch) = (training.epochs, training.lr, training.batch, microBatch)
        (settings.maxLength, settings.seed, settings.beta, settings.loss) = (training.maxLen, training.seed, beta, loss)
        let trainer = try DPOTrainer(policy: policy, adapter: adapter, tokenizer: tokenizer, eos: bundle.config.eosTokenIDs.first,
                                     train: trainPairs, heldOut: evalPairs, settings: settings)
        let scoring = ProgressLine(label: "dpo", total: trainer.pairsToScore)
        let progress = ProgressLine(label: "dpo \(loss.rawValue)", total: trainer.totalSteps)
        let result = try trainer.run(metrics: folder.staging.appendingPathComponent("metrics.jsonl"), scoring: { report in
            scoring.update(report.done, note: report.note)
            if report.done == report.total { scoring.finish() }
        }, progress: progress.reporter)
        progress.finish()
        if let adapter {
            try PEFTAdapter.save(adapter, baseModel: model.model, to: folder.staging)
        } else {
            try HFCheckpoint.save(config: policy.config, store: policy.parameters, to: folder.staging)
        }
        try TokenizerJSONWriter.files(for: tokenizer, chatTemplate: bundle.chatTemplateSource, modelMaxLength: policy.config.maxPositions,
                                      source: model.model).write(to: folder.staging)
        try folder.commit()
        if json {
            try StandardOutput.line(try JSONOutput.line(result))
        } else if let beforeLoss = result.eval_loss_before, let afterLoss = result.eval_loss {
            try StandardOutput.line(String(format: "dpo: %d steps on %d pairs; held-out (%d pairs) loss %.4f → %.4f, reward accuracy %.3f → %.3f, margin %.4f; wrote %@",
                                           result.steps, result.train_pairs, result.eval_pairs, beforeLoss, afterLoss,
                                           result.eval_accuracy_before ?? 0, result.eval_accuracy ?? 0, result.eval_margin ?? 0, output))
        } else {
            try StandardOutput.line(String(format: "dpo: %d steps on %d pairs (train loss %.4f); no held-out pairs (--eval-fraction 0); wrote %@",
                                           result.steps, result.train_pairs, result.train_loss, output))
        }
    }
}

extension DPOLossKind: ExpressibleByArgument {}
