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
    @OptionGroup var training: PreferenceTrainingOptions
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
        compute.apply()
        _ = try outputRule.check(replacing: true)
        let (policy, bundle) = try model.load(needsTokenizer: true)
        guard let tokenizer = bundle.tokenizer else { throw CommandInputError.noTokenizer(model: model.model) }
        let adapter = try lora.attachAdapter(to: policy, seed: training.seed)
        let folder = try outputRule.stage()
        defer { folder.discard() }
        let (trainPairs, evalPairs, skipped) = try training.split()
        if skipped > 0 { CommandWarning.emit("skipped \(skipped) malformed lines of \(training.data)") }
        let eos = bundle.config.eosTokenIDs.first
        let padID = eos ?? 0
        var train = TokenizedPairs(trainPairs, tokenizer: tokenizer, eos: eos, maxLength: training.maxLen)
        var held = TokenizedPairs(evalPairs, tokenizer: tokenizer, eos: eos, maxLength: training.maxLen)
        let stepsPerEpoch = (train.count + training.batch - 1) / training.batch
        let total = stepsPerEpoch * training.epochs
        let schedule = LearningRateSchedule.constant(training.lr, warmupSteps: total / 10)
        // with an adapter the base is frozen and shared: the reference is the policy without its adapter
        let reference = CausalLM(config: policy.config, parameters: adapter == nil ? policy.parameters.copy() : policy.parameters)
        let update = try DPOUpdate(policy: policy, reference: reference,
                                   optimizer: AdamWConfig(schedule: schedule, weightDecay: 0.01), beta: beta, kind: loss)
        let scoring = ProgressLine(label: "dpo", total: train.count + held.count)
        // scored in the chunks the policy is scored in, so at the start (policy = reference) every implicit reward is exactly 0
        try train.scoreReference(with: update, size: microBatch, padID: padID) { scoring.update($0, note: "reference log-probs") }
        try held.scoreReference(with: update, size: microBatch, padID: padID) { [n = train.count] in
            scoring.update(n + $0, note: "reference log-probs")
        }
        scoring.finish()
        let before = try evaluate(held, update, padID: padID)
        let metrics = try MetricsJSONLWriter(url: folder.staging.appendingPathComponent("metrics.jsonl"))
        let progress = ProgressLine(label: "dpo \(loss.rawValue)", total: total)
        var shuffle = SplitMix64(seed: training.seed)
        var step = 0, trainLoss = 0.0
        for epoch in 0..<training.epochs {
            let order = shuffle.shuffled(Array(0..<train.count))
            for start in stride(from: 0, to: order.count, by: training.batch) {
                let indices = Array(order[start..<min(start + training.batch, order.count)])
                let stats = try update.step(chunks: try train.chunks(indices, size: microBatch, padID: padID))
                step += 1
                trainLoss = stats.loss
                try metrics.write(["step": Double(step), "epoch": Double(epoch) + Double(start + training.batch) / Double(order.count),
                                   "loss": stats.loss, "rewards/chosen": stats.chosenReward, "rewards/rejected": stats.rejectedReward,
                                   "rewards/margins": stats.margin, "rewards/accuracies": stats.accuracy, "grad_norm": stats.gradNorm,
                                   "learning_rate": schedule.lr(at: step - 1)])
                progress.update(step, note: String(format: "loss %.4f  acc %.2f  margin %.3f", stats.loss, stats.accuracy, stats.margin))
            }
        }
        progress.finish()
        let after = try evaluate(held, update, padID: padID)
        if let after {
            try metrics.write(["step": Double(step), "eval/loss": after.loss, "eval/rewards/accuracies": after.accuracy,
                               "eval/rewards/margins": after.margin])
        }
        if let name = policy.parameters.firstNonFiniteTensor() ?? adapter?.parameters.firstNonFiniteTensor() {
            throw CommandInputError.nonFiniteWeights(tensor: name, why: "the run diverged (lower --lr)")
        }
        if let adapter {
            try PEFTAdapter.save(adapter, baseModel: model.model, to: folder.staging)
        } else {
            try HFCheckpoint.save(config: policy.config, store: policy.parameters, to: folder.staging)
        }
        try TokenizerJSONWriter.files(for: tokenizer, chatTemplate: bundle.chatTemplateSource, modelMaxLength: policy.config.maxPositions,
                                      source: model.model).write(to: folder.staging)
        try folder.commit()
        let result = DPOResult(train_pairs: train.count, eval_pairs: held.count, steps: step, train_loss: trainLoss,
                               eval_loss_before: before?.loss, eval_accuracy_before: before?.accuracy, eval_loss: after?.loss,
                               eval_accuracy: after?.accuracy, eval_margin: after?.margin)
        if json {
            try StandardOutput.line(try JSONOutput.line(result))
        } else if let before, let after {
            try StandardOutput.line(String(format: "dpo: %d steps on %d pairs; held-out (%d pairs) loss %.4f → %.4f, reward accuracy %.3f → %.3f, margin %.4f; wrote %@",
                                           step, train.count, held.count, before.loss, after.loss, before.accuracy, after.accuracy,
                                           after.margin, output))
        } else {
            try StandardOutput.line(String(format: "dpo: %d steps on %d pairs (train loss %.4f); no held-out pairs (--eval-fraction 0); wrote %@",
                                           step, train.count, trainLoss, output))
        }
    }

    /// The held-out pairs' mean loss, reward accuracy and margin under the policy now (nil without held-out pairs).
    private func evaluate(_ pairs: TokenizedPairs, _ update: DPOUpdate, padID: Int) throws -> (loss: Double, accuracy: Double, margin: Double)? {
        guard pairs.count > 0 else { return nil }
        var loss = 0.0, right = 0.0, margin = 0.0
        for start in stride(from: 0, to: pairs.count, by: microBatch) {
            let indices = Array(start..<min(start + microBatch, pairs.count))
            let (batch, references) = try pairs.batch(indices, padID: padID)
            let result = try update.loss(batch, referenceLogProbs: references)
            let n = Double(indices.count)
            loss += result.loss * n; right += result.accuracy * n; margin += result.margin * n
        }
        let n = Double(pairs.count)
        return (loss / n, right / n, margin / n)
    }
}

/// The JSON line of `rlhf dpo --json` (the held-out numbers are left out without held-out pairs).
struct DPOResult: Encodable {
    let train_pairs: Int, eval_pairs: Int, steps: Int
    let train_loss: Double, eval_loss_before: Double?, eval_accuracy_before: Double?
    let eval_loss: Double?, eval_accuracy: Double?, eval_margin: Double?
}

extension DPOLossKind: ExpressibleByArgument {}
