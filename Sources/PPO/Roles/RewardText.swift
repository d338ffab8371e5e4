import ModelIO

/// The text a reward function of the text scores for a row of the policy's token ids: the policy's
/// tokenizer's decoding with special tokens skipped. The Swift VADER reward scores it, and the learner
/// sends it to reward workers that score text themselves (`WorkerCapabilities.scoreTexts`, the Python
/// client), so both see the same text.
package enum RewardText {
    /// The text of `ids` under `tokenizer`.
    package static func of(_ ids: [Int], tokenizer: any Tokenizer) -> String { tokenizer.decode(ids, skipSpecialTokens: true) }
}
