import Datasets
import Foundation
import Logging
import ModelIO
import Models
import RunLogs
import Storage
import Training

/// Supervised fine-tuning of a causal LM on prompt/response examples, the loss on the response tokens only
/// (the prompt rendered with a chat template when there is one). Batches group examples of similar length
/// (`LengthGroupedBatches`); each step's metrics go to `FOLDER/metrics.jsonl` under `transformers`' names;
/// the held-out loss per response token is measured before and after; every `saveEvery` steps
/// `FOLDER/checkpoint-STEP/` is written (a Hugging Face folder with the optimizer state) to resume from;
/// the trained model (or, with an adapter, the adapter in PEFT's layout) goes to the folder with its
/// tokenizer.
public final class SFTTrainer {
    /// The settings the trainer was made with.
    public let settings: SFTSettings
    /// The model trained (its adapter, when one is attached).
    public let model: CausalLM
    /// The LoRA adapter trained instead of the model's weights, when there is one.
    public let adapter: LoRAAdapter?
    private let train: [SupervisedTokens], held: [SupervisedTokens]
    private let padID: Int
    private let update: SFTUpdate
    private let planner: LengthGroupedBatches
    private let tokenizerFiles: HuggingFaceTokenizerFiles
    private let baseModel: String
    private let logger = Logger(label: "rlhf.sft")

    /// A run training `model` (or its attached `adapter`) on `train`, measured on `heldOut`, the texts encoded
    /// with `tokenizer` and `template` (nil: the raw texts, the prompt after BOS); `eos` ends each response.
    /// `tokenizerFiles` and `baseModel` (the model's path) are written beside the result.
    public init(model: CausalLM, adapter: LoRAAdapter?, tokenizer: any Tokenizer, template: (any ChatTemplate)?, eos: Int?,
                train examples: [SupervisedExample], heldOut: [SupervisedExample], settings: SFTSettings,
                tokenizerFiles: HuggingFaceTokenizerFiles, baseModel: String) throws {
        self.settings = settings
        self.model = model
        self.adapter = adapter
        let encoding = SupervisedEncoding(tokenizer: tokenizer, template: template, eos: eos,
                                          maxLength: min(settings.maxLength, model.config.maxPositions))
        train = examples.map(encoding.tokens)
        held = heldOut.map(encoding.tokens)
        padID = eos ?? 0
        planner = try LengthGroupedBatches(lengths: train.map(\.count), batchSize: settings.batch, seed: settings.seed)
        let schedule = LearningRateSchedule.constant(settings.learningRate, warmupSteps: planner.batchesPerEpoch * settings.epochs / 10)
        update = try SFTUpdate(model: model, groups: [(adapter?.parameters ?? model.parameters, AdamWConfig(schedule: schedule, weightDecay: 0.01))])
        self.tokenizerFiles = tokenizerFiles
        self.baseModel = baseModel
    }

    /// Optimizer steps of the whole run.
    public var totalSteps: Int { planner.batchesPerEpoch * settings.epochs }
    /// Training examples, and held-out ones.
    public var trainCount: Int { train.count }
    /// How many examples are held out for evaluation.
    public var heldOutCount: Int { held.count }

    /// The checkpoint state of a run of these settings and examples at step 0.
    private var initialState: SFTTrainerState {
        SFTTrainerState(global_step: 0, epoch: 0, max_steps: totalSteps, seed: String(settings.seed), train_batch_size: settings.batch,
                        num_train_epochs: settings.epochs, learning_rate: settings.learningRate, max_len: settings.maxLength,
                        train_examples: train.count, data_fingerprint: Self.fingerprint(train), eval_loss_before: nil, train_loss: nil)
    }

    /// Trains into `folder` (new, or continued from `checkpoint`, a `checkpoint-STEP` folder of a run of the
    /// same settings and examples), then writes the trained model there; `progress` hears of each step.
    public func run(in folder: URL, resumingFrom checkpoint: URL? = nil, skippedLines: Int = 0,
                    progress: (ProgressReport) -> Void = { _ in }) throws -> SFTResult {
        var state = initialState
        let heldBatches = try Self.heldOutBatches(held, size: settings.chunk, padID: padID)
        if let checkpoint {
            let saved = try SFTCheckpoint.state(in: checkpoint)
            try Self.check(saved, against: state, file: checkpoint.appendingPathComponent("trainer_state.json").path)
            try SFTCheckpoint.restore(update, from: checkpoint, state: saved)
            state = saved
            try SFTRunFolder.rewindMetrics(folder.appendingPathComponent("metrics.jsonl"), toStep: state.global_step)
            logger.notice("resumed from \(checkpoint.path) after step \(state.global_step) of \(totalSteps)")
        } else {
            state.eval_loss_before = heldBatches.isEmpty ? nil : try update.loss(heldBatches).mean
        }
        let metrics = try MetricsJSONLWriter(url: folder.appendingPathComponent("metrics.jsonl"))
        if checkpoint == nil, let before = state.eval_loss_before { try metrics.write(["step": 0, "epoch": 0, "eval/loss": before]) }
        let firstStep = state.global_step
        var epochBatches: (epoch: Int, batches: [[Int]])?
        for step in firstStep..<totalSteps {
            let epoch = step / planner.batchesPerEpoch
            if epochBatches?.epoch != epoch { epochBatches = (epoch, planner.epoch(epoch)) }
            let indices = epochBatches!.batches[step % planner.batchesPerEpoch]
            let stats = try update.step(chunks: try Self.batches(indices.map { train[$0] }, size: settings.chunk, padID: padID))
            state.global_step = step + 1
            state.epoch = Double(step + 1) / Double(planner.batchesPerEpoch)
            state.train_loss = stats.loss
            let values = ["step": Double(step + 1), "epoch": state.epoch, "loss": stats.loss, "grad_norm": stats.gradNorm,
                          "learning_rate": stats.learningRate, "num_tokens": Double(stats.tokens)]
            try metrics.write(values)
            progress(ProgressReport(done: step + 1, total: totalSteps, note: String(format: "loss %.4f", stats.loss), values: values))
            if adapter == nil, settings.saveEvery > 0, (step + 1) % settings.saveEvery == 0 {
                let written = try SFTCheckpoint.save(update, state: state, tokenizerFiles: tokenizerFiles, to: folder)
                logger.info("wrote \(written.path)")
            }
        }
        let after = heldBatches.isEmpty ? nil : try update.loss(heldBatches).mean
        if let after { try metrics.write(["step": Double(state.global_step), "epoch": state.epoch, "eval/loss": after]) }
        if let name = model.parameters.firstNonFiniteTensor() ?? adapter?.parameters.firstNonFiniteTensor() {
            throw DivergedWeightsError(tensor: name)
        }
        if let adapter {
            try SFTRunFolder.writeAdapter(adapter, baseModel: baseModel, tokenizerFiles: tokenizerFiles, to: folder)
        } else {
            try SFTRunFolder.writeModel(update.model, tokenizerFiles: tokenizerFiles, to: folder)
        }
        return SFTResult(train_examples: train.count, eval_examples: held.count, skipped_lines: skippedLines, steps: state.global_step,
                         resumed_from_step: checkpoint == nil ? nil : firstStep, train_loss: state.train_loss,
                         eval_loss_before: state.eval_loss_before, eval_loss: after)
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
