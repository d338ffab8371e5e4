import ArgumentParser
import Datasets
import Foundation
import Logging
import ModelIO
import Models
import RunLogs
import Storage
import Tensor
import Trainers
import Training

/// `rlhf sft`: supervised fine-tuning of a causal LM on prompt/response examples, the loss on the
/// response tokens only (the prompt rendered with the chat template when there is one). Batches group
/// examples of similar length (`LengthGroupedBatches`); each step's metrics go to `OUTPUT/metrics.jsonl`
/// under `transformers`' names; the held-out loss per response token is measured before and after;
/// every `--save-every` steps `OUTPUT/checkpoint-STEP/` is written (a Hugging Face folder with the
/// optimizer state) for `--resume`; the trained model is written to OUTPUT as a Hugging Face folder
/// with its tokenizer.
struct SFTCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sft", abstract: "Supervised fine-tuning of a causal LM on prompt/response examples (loss on the response).",
        discussion: """
            The prompt is rendered with --chat-template, else the model's own chat template (with the assistant \
            turn opened); a model without one trains on the raw texts, the prompt after BOS. Each response ends \
            with the end-of-text token. Losses are means per response token. Every --save-every steps \
            OUTPUT/checkpoint-STEP/ is written (a Hugging Face folder with optimizer.safetensors and \
            trainer_state.json); --resume OUTPUT/checkpoint-STEP with the same flags continues that run. \
            With --lora-rank only a LoRA adapter is trained (the model frozen: no gradients or optimizer \
            moments for it) and OUTPUT is the adapter in PEFT's layout with the tokenizer files; such a run \
            writes no checkpoints.
            """)

    @OptionGroup var model: ModelOptions
    @OptionGroup var training: TrainerFlags<SFTFlags>

    @Option(help: "Examples whose activations are held at once: a step accumulates its batch's gradient over chunks of this many (the same step, less memory; default: the whole batch).")
    var microBatch: Int?
    @OptionGroup(title: "LoRA") var lora: LoRAOptions

    @Option(help: "The folder the trained model, metrics.jsonl and the checkpoints go to.")
    var output: String

    @Option(help: "Write OUTPUT/checkpoint-STEP/ every this many steps (0: never).")
    var saveEvery: Int = 500

    @Option(help: "Continue the run from this checkpoint folder (OUTPUT/checkpoint-STEP), with the same flags.")
    var resume: String?

    @OptionGroup var replace: ForceOption

    @Flag(help: "Print the final numbers as one JSON line.")
    var json = false

    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        guard !output.isEmpty else { throw ValidationError("--output is empty; name the folder") }
        guard saveEvery >= 0 else { throw ValidationError("--save-every must be 0 (never) or more") }
        if let n = microBatch, n < 1 || n > 4096 { throw ValidationError("--micro-batch must be between 1 and 4096") }
        if lora.enabled && resume != nil { throw ValidationError("--resume does not continue a --lora-rank run (LoRA runs write no checkpoints)") }
        if let resume {
            guard !resume.isEmpty else { throw ValidationError("--resume is empty; name a checkpoint folder") }
            guard !PathContainment.folder(resume, holds: output) else {
                throw ValidationError("--output \(output) is inside --resume \(resume): write the continued run beside its checkpoint")
            }
        }
    }

    func run() async throws {
        try compute.apply()
        let folder = URL(fileURLWithPath: output), checkpoint = resume.map { URL(fileURLWithPath: $0) }
        // a run goes into a fresh folder, or continues in the folder that holds its checkpoint
        let home = checkpoint?.deletingLastPathComponent().path
        let continuesInPlace = home.map { PathContainment.folder(output, holds: $0) && PathContainment.folder($0, holds: output) } ?? false
        // a checkpoint is checked before anything is loaded or written
        _ = try checkpoint.map { try SFTCheckpoint.state(in: $0) }
        if continuesInPlace { try JSONLRewind.check(folder.appendingPathComponent("metrics.jsonl")) }
        let claim = try OutputFolder(output, flag: "--output", command: "sft", force: replace.force,
                                     inputs: model.inputs + training.inputs + (resume.map { [InputPath("--resume", $0)] } ?? []),
                                     runFiles: SFTRunFolder.runFiles)
            .prepareRun(resume: continuesInPlace, resumeHint: "pass --resume \(output)/checkpoint-STEP to continue it")
        try await claim.guarding { try train(into: folder, from: checkpoint) }
    }

    /// The run itself, in `folder` (continued from `checkpoint`, when given).
    private func train(into folder: URL, from checkpoint: URL?) throws {
        let (lm, bundle) = try model.load(needsTokenizer: true)
        guard let tokenizer = bundle.tokenizer else { throw CommandInputError.noTokenizer(model: model.model) }
        let adapter = try lora.attachAdapter(to: lm, seed: training.seed)
        let (trainExamples, evalExamples, skipped) = try training.dataSplit.split()
        if skipped > 0 { CommandWarning.emit("skipped \(skipped) malformed lines of \(training.data)") }
        let template = try model.chatTemplate.map { try ChatTemplateSelector.template(named: $0) } ?? bundle.chatTemplate
        var settings = SFTSettings()
        (settings.epochs, settings.learningRate, settings.batch) = (training.epochs, training.lr, training.batch)
        (settings.microBatch, settings.maxLength, settings.seed, settings.saveEvery) = (microBatch, training.maxLen, training.seed, saveEvery)
        let tokenizerFiles = try TokenizerJSONWriter.files(for: tokenizer, chatTemplate: bundle.chatTemplateSource,
                                                           modelMaxLength: lm.config.maxPositions, source: model.model)
        let trainer = try SFTTrainer(model: lm, adapter: adapter, tokenizer: tokenizer, template: template, eos: bundle.config.eosTokenIDs.first,
                                     train: trainExamples, heldOut: evalExamples, settings: settings, tokenizerFiles: tokenizerFiles,
                                     baseModel: model.model)
        if adapter != nil, saveEvery > 0, trainer.totalSteps >= saveEvery {
            CommandWarning.emit("--lora-rank: no checkpoints are written (--save-every \(saveEvery) is ignored)")
        }
        let progress = ProgressLine(label: "sft", total: trainer.totalSteps)
        let result = try trainer.run(in: folder, resumingFrom: checkpoint, skippedLines: skipped, progress: progress.reporter)
        progress.finish()
        if json {
            try StandardOutput.line(try JSONOutput.line(result))
        } else {
            let losses = result.eval_loss.map { String(format: "held-out (%d examples) loss per response token %.4f → %.4f", result.eval_examples,
                                                       result.eval_loss_before ?? .nan, $0) } ?? "no held-out examples"
            try StandardOutput.line(String(format: "sft: %d steps on %d examples; %@; wrote %@", result.steps, result.train_examples, losses, output))
        }
    }
}
