import ArgumentParser
import Data
import Foundation
import Logging
import ModelIO
import Models
import Monitor
import Tensor
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
    @OptionGroup var training: SupervisedTrainingOptions
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
        if lora.enabled && resume != nil { throw ValidationError("--resume does not continue a --lora-rank run (LoRA runs write no checkpoints)") }
        if let resume {
            guard !resume.isEmpty else { throw ValidationError("--resume is empty; name a checkpoint folder") }
            guard !PathContainment.folder(resume, holds: output) else {
                throw ValidationError("--output \(output) is inside --resume \(resume): write the continued run beside its checkpoint")
            }
        }
    }

    func run() async throws {
        compute.apply()
        let folder = URL(fileURLWithPath: output), checkpoint = resume.map { URL(fileURLWithPath: $0) }
        // a run goes into a fresh folder, or continues in the folder that holds its checkpoint
        let home = checkpoint?.deletingLastPathComponent().path
        let continuesInPlace = home.map { PathContainment.folder(output, holds: $0) && PathContainment.folder($0, holds: output) } ?? false
        // a checkpoint is checked before anything is loaded or written
        let savedState = try checkpoint.map { try SFTCheckpoint.state(in: $0) }
        if continuesInPlace { try JSONLRewind.check(folder.appendingPathComponent("metrics.jsonl")) }
        let claim = try OutputFolder(output, flag: "--output", command: "sft", force: replace.force,
                                     inputs: model.inputs + training.inputs + (resume.map { [InputPath("--resume", $0)] } ?? []),
                                     runFiles: SFTRunFolder.runFiles)
            .prepareRun(resume: continuesInPlace, resumeHint: "pass --resume \(output)/checkpoint-STEP to continue it")
        try await claim.guarding { try train(into: folder, from: checkpoint, state: savedState) }
    }

    /// The run itself, in `folder` (continued from `checkpoint` with its `state`, when given).
    private func train(into folder: URL, from checkpoint: URL?, state savedState: SFTTrainerState?) throws {
        let logger = Logger(label: "rlhf.sft")
        let (lm, bundle) = try model.load(needsTokenizer: true)
        guard let tokenizer = bundle.tokenizer else { throw CommandInputError.noTokenizer(model: model.model) }
        let adapter = try lora.attachAdapter(to: lm, seed: training.seed)
        let (trainExamples, evalExamples, skipped) = try training.split()
        if skipped > 0 { CommandWarning.emit("skipped \(skipped) malformed lines of \(training.data)") }
        let template = try model.chatTemplate.map { try ChatTemplateSelector.template(named: $0) } ?? bundle.chatTemplate
        let eos = bundle.config.eosTokenIDs.first
        let encoding = SupervisedEncoding(tokenizer: tokenizer, template: template, eos: eos,
                                          maxLength: min(training.maxLen, lm.config.maxPositions))
        let train = trainExamples.map(encoding.tokens), held = evalExamples.map(encoding.tokens)
        let padID = eos ?? 0
        let planner = try LengthGroupedBatches(lengths: train.map(\.count), batchSize: training.batch, seed: training.seed)
        let total = planner.batchesPerEpoch * training.epochs
        let schedule = LearningRateSchedule.constant(training.lr, warmupSteps: total / 10)
        let optimizerConfig = AdamWConfig(schedule: schedule, weightDecay: 0.01)
        let update = try SFTUpdate(model: lm, groups: [(adapter?.parameters ?? lm.parameters, optimizerConfig)])
        if adapter != nil, saveEvery > 0, total >= saveEvery {
            CommandWarning.emit("--lora-rank: no checkpoints are written (--save-every \(saveEvery) is ignored)")
        }
        var state = SFTTrainerState(global_step: 0, epoch: 0, max_steps: total, seed: String(training.seed),
                                    train_batch_size: training.batch, num_train_epochs: training.epochs,
                                    learning_rate: training.lr, max_len: training.maxLen, train_examples: train.count,
                                    data_fingerprint: Self.fingerprint(train), eval_loss_before: nil, train_loss: nil)
        let heldBatches = try Self.heldOutBatches(held, size: training.chunk, padID: padID)
        if let checkpoint, let saved = savedState {
            try Self.check(saved, against: state, file: checkpoint.appendingPathComponent("trainer_state.json").path)
            try SFTCheckpoint.restore(update, from: checkpoint, state: saved)
            state = saved
            try SFTRunFolder.rewindMetrics(folder.appendingPathComponent("metrics.jsonl"), toStep: saved.global_step)
            logger.notice("resumed from \(checkpoint.path) after step \(saved.global_step) of \(total)")
        } else {
            state.eval_loss_before = heldBatches.isEmpty ? nil : try update.loss(heldBatches).mean
        }
        let tokenizerFiles = try TokenizerJSONWriter.files(for: tokenizer, chatTemplate: bundle.chatTemplateSource,
                                                           modelMaxLength: lm.config.maxPositions, source: model.model)
        let metrics = try MetricsJSONLWriter(url: folder.appendingPathComponent("metrics.jsonl"))
        if resume == nil, let before = state.eval_loss_before { try metrics.write(["step": 0, "epoch": 0, "eval/loss": before]) }
        let progress = ProgressLine(label: "sft", total: total)
        let firstStep = state.global_step
        var epochBatches: (epoch: Int, batches: [[Int]])?
        for step in firstStep..<total {
            let epoch = step / planner.batchesPerEpoch
            if epochBatches?.epoch != epoch { epochBatches = (epoch, planner.epoch(epoch)) }
            let indices = epochBatches!.batches[step % planner.batchesPerEpoch]
            let chunks = try Self.batches(indices.map { train[$0] }, size: training.chunk, padID: padID)
            let stats = try update.step(chunks: chunks)
            guard stats.loss.isFinite else {
                throw CommandInputError.flags("the loss of step \(step + 1) is not finite (NaN or infinity): the run diverged; lower --lr")
            }
            state.global_step = step + 1
            state.epoch = Double(step + 1) / Double(planner.batchesPerEpoch)
            state.train_loss = stats.loss
            try metrics.write(["step": Double(step + 1), "epoch": state.epoch, "loss": stats.loss, "grad_norm": stats.gradNorm,
                               "learning_rate": stats.learningRate, "num_tokens": Double(stats.tokens)])
            progress.update(step + 1, note: String(format: "loss %.4f", stats.loss))
            if adapter == nil, saveEvery > 0, (step + 1) % saveEvery == 0 {
                let written = try SFTCheckpoint.save(update, state: state, tokenizerFiles: tokenizerFiles, to: folder)
                logger.info("wrote \(written.path)")
            }
        }
        progress.finish()
        let after = heldBatches.isEmpty ? nil : try update.loss(heldBatches).mean
        if let after { try metrics.write(["step": Double(state.global_step), "epoch": state.epoch, "eval/loss": after]) }
        if let name = lm.parameters.firstNonFiniteTensor() ?? adapter?.parameters.firstNonFiniteTensor() {
            throw CommandInputError.nonFiniteWeights(tensor: name, why: "the run diverged (lower --lr)")
        }
        if let adapter {
            try SFTRunFolder.writeAdapter(adapter, baseModel: model.model, tokenizerFiles: tokenizerFiles, to: folder)
        } else {
            try SFTRunFolder.writeModel(update.model, tokenizerFiles: tokenizerFiles, to: folder)
        }
        let result = SFTResult(train_examples: train.count, eval_examples: held.count, skipped_lines: skipped, steps: state.global_step,
                               resumed_from_step: resume == nil ? nil : firstStep, train_loss: state.train_loss,
                               eval_loss_before: state.eval_loss_before, eval_loss: after)
        if json {
            try StandardOutput.line(try JSONOutput.line(result))
        } else {
            let losses = after.map { String(format: "held-out (%d examples) loss per response token %.4f → %.4f", held.count,
                                            state.eval_loss_before ?? .nan, $0) } ?? "no held-out examples"
            try StandardOutput.line(String(format: "sft: %d steps on %d examples; %@; wrote %@", state.global_step, train.count, losses, output))
        }
    }

    /// `examples` as batches of at most `size` each, in order.
    static func batches(_ examples: [SupervisedTokens], size: Int, padID: Int) throws -> [SupervisedBatch] {
        try stride(from: 0, to: examples.count, by: size).map { start in
            try SupervisedBatch(Array(examples[start..<min(start + size, examples.count)]), padID: padID)
        }
    }

    /// The held-out examples as batches of `size`, longest first (so each batch wastes little padding).
    static func heldOutBatches(_ examples: [SupervisedTokens], size: Int, padID: Int) throws -> [SupervisedBatch] {
        try batches(examples.sorted { $0.count > $1.count }, size: size, padID: padID)
    }

    /// FNV-1a (64 bits) over every example's prompt and response ids, with the lengths.
    static func fingerprint(_ examples: [SupervisedTokens]) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ value: Int) {
            hash ^= UInt64(truncatingIfNeeded: value)
            hash = hash &* 0x100_0000_01B3
        }
        for example in examples {
            mix(example.prompt.count); example.prompt.forEach(mix)
            mix(example.response.count); example.response.forEach(mix)
        }
        return String(hash, radix: 16)
    }

    /// Refuses a checkpoint whose run differs from this one in anything that fixes the batches or the schedule.
    static func check(_ saved: SFTTrainerState, against now: SFTTrainerState, file: String) throws {
        let fields: [(String, String, String)] = [
            ("--seed", saved.seed, now.seed), ("--batch", String(saved.train_batch_size), String(now.train_batch_size)),
            ("--epochs", String(saved.num_train_epochs), String(now.num_train_epochs)),
            ("--lr", String(saved.learning_rate), String(now.learning_rate)), ("--max-len", String(saved.max_len), String(now.max_len)),
            ("the training examples", String(saved.train_examples), String(now.train_examples)),
            ("the training tokens' fingerprint", saved.data_fingerprint, now.data_fingerprint),
            ("the planned steps", String(saved.max_steps), String(now.max_steps)),
        ]
        for (what, was, isNow) in fields where was != isNow {
            throw SFTCheckpointError.mismatch(file: file, what: "\(what) was \(was), now \(isNow)")
        }
    }
}

/// The JSON line of `rlhf sft --json` (losses are per response token; null without held-out examples).
struct SFTResult: Encodable {
    let train_examples: Int, eval_examples: Int, skipped_lines: Int, steps: Int
    let resumed_from_step: Int?
    let train_loss: Double?, eval_loss_before: Double?, eval_loss: Double?
}
