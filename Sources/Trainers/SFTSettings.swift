import Training

/// The settings of a supervised fine-tuning run (`rlhf sft`'s flags).
public struct SFTSettings: Sendable, Equatable {
    /// Passes over the training examples.
    public var epochs = 1
    /// Peak learning rate (AdamW, weight decay 0.01, 10% linear warm-up, then constant).
    public var learningRate = 2e-5
    /// Examples per optimizer step (a batch groups examples of similar length).
    public var batch = 8
    /// Examples whose activations are held at once (nil: the whole batch).
    public var microBatch: Int?
    /// Tokens per example at most: the prompt is cut from the left, then the response from the right.
    public var maxLength = 1024
    /// Seed of the batch order (and of a new LoRA adapter).
    public var seed: UInt64 = 0
    /// Write `checkpoint-STEP/` every this many steps (0: never; LoRA runs write none).
    public var saveEvery = 500

    /// The defaults of `rlhf sft`.
    public init() {}

    /// Examples held in memory at once.
    public var chunk: Int { min(microBatch ?? batch, batch) }
}

/// What a supervised fine-tuning run reached (the JSON line of `rlhf sft --json`; losses are per response
/// token, left out without held-out examples).
public struct SFTResult: Encodable, Sendable {
    /// Examples trained on and held out, data lines skipped, and optimizer steps taken.
    public let train_examples: Int, eval_examples: Int, skipped_lines: Int, steps: Int
    /// The step a resumed run started from (nil for a new run).
    public let resumed_from_step: Int?
    /// The mean training loss, and the held-out loss before and after training (nil where there is none).
    public let train_loss: Double?, eval_loss_before: Double?, eval_loss: Double?
}
