import ArgumentParser
import Foundation
import ModelIO
import Models
import PPO
import Trainers

/// `rlhf reward score`: the scalar reward a sequence classifier gives each input, read at its last
/// non-pad token as transformers does, or a reward function's (`--function vader`) of each text.
struct RewardScoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Print the reward of token ids or texts under a reward model or function, one line per input in order.",
        discussion: """
            Repeat --ids (each with its own --attention-mask, or none at all), --text or --text-file to score \
            a batch; every input is scored exactly as it would be alone. --function vader scores texts with \
            VADER sentiment (its compound score) instead of a model.
            """)

    @OptionGroup var modelOptions: RewardModelOptions

    @OptionGroup var functionOptions: RewardFunctionOptions

    @Option(help: "Token ids, comma-separated (e.g. 5,17,42); repeat for a batch.")
    var ids: [IntegerList] = []

    @Option(help: "Attention mask of the --ids in the same place, comma-separated 0/1 (default: all 1); one per --ids or none.")
    var attentionMask: [IntegerList] = []

    @Option(help: "Text to score instead of --ids (encoded with the model's tokenizer); repeat for a batch.")
    var text: [String] = []

    @Option(help: ArgumentHelp("Read a text to score from a file (- for standard input) instead of --text; repeat for a batch.",
                               valueName: "path"))
    var textFile: [String] = []

    @Flag(help: "With --text or --text-file: wrap each as one user message in the chat template, assistant turn opened.")
    var chat = false

    @Flag(help: "Print one JSON object {\"reward\": x} per input, one per line.")
    var json = false

    @OptionGroup var compute: ComputeOptions

    mutating func validate() throws {
        (text, textFile) = (RepeatedOptions.unpack(text), RepeatedOptions.unpack(textFile))
        (ids, attentionMask) = (IntegerList.unpacked(ids), IntegerList.unpacked(attentionMask))
        guard (modelOptions.model != nil) != (functionOptions.function != nil) else {
            throw ValidationError("give --model DIR or --function NAME, and only one of them")
        }
        if let function = functionOptions.function {
            if !ids.isEmpty { throw ValidationError("--ids needs --model: --function \(function.rawValue) scores text") }
            if chat { throw ValidationError("--chat needs --model: --function \(function.rawValue) scores the text as given") }
            if modelOptions.tokenizer != nil || modelOptions.chatTemplate != nil {
                throw ValidationError("--tokenizer and --chat-template go with --model, not --function")
            }
        }
        guard [!ids.isEmpty, !text.isEmpty, !textFile.isEmpty].filter({ $0 }).count == 1 else {
            throw ValidationError("give --ids, --text or --text-file (each may repeat), and only one of them")
        }
        if chat && ids.count > 0 { throw ValidationError("--chat needs --text or --text-file") }
        if textFile.filter({ $0 == "-" }).count > 1 { throw ValidationError("--text-file - (standard input) can be given once") }
        guard !attentionMask.isEmpty else { return }
        guard !ids.isEmpty else { throw ValidationError("--attention-mask goes with --ids, not --text or --text-file") }
        guard attentionMask.count == ids.count else {
            throw ValidationError("\(attentionMask.count) --attention-mask for \(ids.count) --ids: give one per --ids, or none")
        }
        for (i, (row, mask)) in zip(ids, attentionMask).enumerated() {
            guard mask.values.count == row.values.count else {
                throw ValidationError("--attention-mask \(i + 1) has \(mask.values.count) values but --ids \(i + 1) has \(row.values.count)")
            }
            guard mask.values.allSatisfy({ $0 == 0 || $0 == 1 }) else {
                throw ValidationError("--attention-mask \(i + 1): values must be 0 or 1")
            }
        }
    }

    func run() async throws {
        if let function = functionOptions.function { return try printFunctionRewards(try readTexts(), function: function) }
        try compute.apply()
        let hasText = ids.isEmpty
        modelOptions.warnAboutIgnoredOptions(chat: chat, hasText: hasText)
        let texts = try readTexts()
        let reward = try modelOptions.load(needsTokenizer: hasText)
        let config = reward.classifier.config
        let rows = hasText ? try texts.map { try modelOptions.encode($0, chat: chat, reward: reward) } : ids.map(\.values)
        for (i, row) in rows.enumerated() {
            let what = inputName(i)
            guard !row.isEmpty else { throw RewardCommandError.emptyInput(what: what) }
            guard row.count <= config.maxPositions else {
                throw CommandInputError.tooLong(what: "input \(what)", tokens: row.count, atLeast: hasText, maxPositions: config.maxPositions, extra: "")
            }
            if let bad = row.firstIndex(where: { !(0..<config.vocabSize).contains($0) }) {
                throw RewardCommandError.tokenOutOfRange(what: what, id: row[bad], index: bad, vocabSize: config.vocabSize)
            }
        }
        let rewards = try RewardBatches.rewards(reward.classifier, rows: rows,
                                                masks: attentionMask.isEmpty ? nil : attentionMask.map(\.values))
        if let bad = rewards.firstIndex(where: { !$0.isFinite }) {
            throw CommandInputError.nonFinite(what: "the reward of \(inputName(bad))")
        }
        var lines = ""
        for r in rewards {
            lines += json ? try JSONOutput.line(RewardResult(reward: r)) : String(format: "%.6f", r)
            lines += "\n"
        }
        try StandardOutput.write(lines)
    }

    /// The `--text`s, or the `--text-file`s' contents (none with `--ids`).
    private func readTexts() throws -> [String] {
        text.isEmpty ? try textFile.map { try InputFile.read($0, flag: "--text-file") } : text
    }

    /// Prints each text's reward under a reward function: `%.6f` lines, or `{"reward": x}` with `--json`.
    private func printFunctionRewards(_ texts: [String], function: RewardFunction) throws {
        var lines = ""
        for r in try functionOptions.rewards(texts, with: function) {
            lines += json ? try JSONOutput.line(FunctionRewardResult(reward: r)) : String(format: "%.6f", r)
            lines += "\n"
        }
        try StandardOutput.write(lines)
    }

    /// How errors name input `i`: `--ids 2`, `--text 2`, or `--text-file PATH`.
    private func inputName(_ i: Int) -> String {
        if !ids.isEmpty { return "--ids \(i + 1)" }
        if !text.isEmpty { return "--text \(i + 1)" }
        return "--text-file \(textFile[i])"
    }
}

/// The JSON shape of `rlhf reward score --json`, one per input.
struct RewardResult: Encodable {
    let reward: Float
}
