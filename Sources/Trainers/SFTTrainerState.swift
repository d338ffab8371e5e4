/// `trainer_state.json` of an `rlhf sft` checkpoint: where the run stands (after `global_step` optimizer
/// steps) and what identifies it, so `--resume` continues only the run it belongs to. Names follow
/// `transformers`' `trainer_state.json` where it has one.
package struct SFTTrainerState: Codable, Equatable {
    /// The layout of this file.
    var format = 1
    /// Optimizer steps taken.
    package var global_step: Int
    /// Epochs done, fractional (`global_step / steps_per_epoch`).
    var epoch: Double
    /// The run's planned steps (`steps_per_epoch × num_train_epochs`).
    package var max_steps: Int
    /// The identity of the run: the flags that fix its batches and schedule.
    package var seed: String, train_batch_size: Int, num_train_epochs: Int, learning_rate: Double, max_len: Int
    /// The training examples and a fingerprint of their token ids (FNV-1a over prompts and responses).
    package var train_examples: Int, data_fingerprint: String
    /// The held-out loss before the first step (reported again by a resumed run) and the last step's loss.
    var eval_loss_before: Double?, train_loss: Double?
}
