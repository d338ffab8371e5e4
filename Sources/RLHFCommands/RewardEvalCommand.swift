import ArgumentParser
import Foundation
import ModelIO
import Models
import Trainers
import Training

/// `rlhf reward eval`: a saved reward model's loss and accuracy on held-out data: the split `rlhf reward
/// train` held out of `--data` with the same flags, `--eval-data`, or with `--whole-file` every example.
struct RewardEvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Measure a reward model's held-out loss and accuracy on pairs or labelled texts.")

    @Option(help: ArgumentHelp("The reward model: a Hugging Face sequence-classifier folder.", valueName: "dir"))
    var model: String

    @Option(help: "Tokenizer file or folder (default: the model folder's own).")
    var tokenizer: String?

    @OptionGroup var data: RewardDataOptions

    @Flag(help: "Evaluate every example of --data (or of --eval-data), not the held-out split.")
    var wholeFile = false

    @Option(help: "Bradley-Terry margin of the loss, as in training.")
    var margin: Double = 0

    @Option(help: "Texts scored a pass.")
    var batch: Int = 16

    @Flag(help: "Print the numbers as one JSON line.")
    var json = false

    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        try ScheduleOptions<RewardFlags>.checkBatch(batch)
        guard margin.isFinite, abs(margin) <= 100 else { throw ValidationError("--margin must be finite, at most 100 in size") }
        if data.trainSize != nil { throw ValidationError("--train-size has no effect on eval; use --eval-size") }
    }

    func run() async throws {
        try compute.apply()
        let reward = try RewardModel.load(path: model, tokenizerPath: tokenizer, needsTokenizer: true)
        let (_, evalTexts, skipped) = try data.split(wholeFile: wholeFile)
        if skipped > 0 { CommandWarning.emit("skipped \(skipped) malformed lines of \(data.data)") }
        guard let result = try reward.evaluate(evalTexts, maxLength: data.maxLen, batch: batch, margin: margin) else {
            throw CommandInputError.flags("no held-out examples to evaluate (give --whole-file, --eval-data or a larger --eval-fraction)")
        }
        if json {
            try StandardOutput.line(try JSONOutput.line(result))
        } else {
            try StandardOutput.line(String(format: "reward eval: %d examples, loss %.4f, accuracy %.4f", result.eval_examples,
                                           result.eval_loss, result.eval_accuracy))
        }
    }
}
