import ArgumentParser
import Foundation
import ModelIO
import Models

/// `rlhf score`: next-token log-probabilities of a token sequence (or a text) under a model.
struct ScoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Print log p(token | tokens before it) for each token after the first.")

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var adapterOption: AdapterOption

    @Option(help: "Token ids, comma-separated (e.g. 5,17,42).")
    var ids: IntegerList?

    @Option(help: "Text to score instead of --ids (encoded with the model's tokenizer).")
    var text: String?

    @Option(help: ArgumentHelp("Read the text to score from a file (- for standard input) instead of --text.", valueName: "path"))
    var textFile: String?

    @Flag(help: "With --text or --text-file: wrap it as one user message in the chat template, assistant turn opened.")
    var chat = false

    @Option(help: "Position ids, comma-separated, one per token (default: cumsum(mask) - 1).")
    var positionIds: IntegerList?

    @Option(help: "Attention mask, comma-separated 0/1, one per token (default: all 1).")
    var attentionMask: IntegerList?

    @Flag(help: "Print one JSON object {\"ids\": [...], \"logprobs\": [...]} on one line.")
    var json = false

    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        guard [ids != nil, text != nil, textFile != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --ids, --text and --text-file")
        }
        let hasText = text != nil || textFile != nil
        if chat && !hasText { throw ValidationError("--chat needs --text or --text-file") }
        if let ids, ids.values.count < 2 { throw ValidationError("--ids needs at least two tokens to score") }
        if hasText && (positionIds != nil || attentionMask != nil) {
            throw ValidationError("--position-ids and --attention-mask go with --ids, not --text or --text-file")
        }
        let count = ids?.values.count ?? 0
        if let p = positionIds, p.values.count != count {
            throw ValidationError("--position-ids has \(p.values.count) values but --ids has \(count)")
        }
        if let m = attentionMask {
            guard m.values.count == count else {
                throw ValidationError("--attention-mask has \(m.values.count) values but --ids has \(count)")
            }
            guard m.values.allSatisfy({ $0 == 0 || $0 == 1 }) else {
                throw ValidationError("--attention-mask values must be 0 or 1")
            }
        }
    }

    func run() async throws {
        try compute.apply()
        modelOptions.warnAboutIgnoredOptions(chat: chat)
        let input = try textFile.map { try InputFile.read($0, flag: "--text-file") } ?? text
        let (lm, bundle) = try modelOptions.load(needsTokenizer: input != nil)
        try adapterOption.apply(to: lm, merge: false)
        let tokens: [Int]
        if let input {
            tokens = try modelOptions.encode(input, chat: chat, bundle: bundle)
        } else if let ids {
            tokens = ids.values
        } else {
            throw ValidationError("give exactly one of --ids, --text and --text-file")
        }
        guard tokens.count >= 2 else { throw ValidationError("the text encodes to \(tokens.count) token(s); scoring needs two") }
        let what = input == nil ? "--ids list" : "text"
        guard tokens.count <= lm.config.maxPositions else {
            throw CommandInputError.tooLong(what: what, tokens: tokens.count, atLeast: input != nil, maxPositions: lm.config.maxPositions, extra: "")
        }
        try ModelWorkLimits.require(ModelWorkLimits.forwardFloats(lm.config, batch: 1, length: tokens.count),
                                    for: "scoring \(tokens.count) tokens")
        let batch = try TokenBatch(ids: [tokens], positions: positionIds.map { [$0.values] },
                                   mask: attentionMask.map { [$0.values] })
        let logprobs = try lm.nextTokenLogProbs(batch)[0]
        if let bad = logprobs.firstIndex(where: { !$0.isFinite }) {
            throw CommandInputError.nonFinite(what: "the log-probability of token \(bad + 1)")
        }
        if json {
            try StandardOutput.line(try JSONOutput.line(ScoreResult(ids: tokens, logprobs: logprobs)))
        } else {
            var lines = ""
            for (i, lp) in logprobs.enumerated() {
                lines += "\(tokens[i + 1])\t\(String(format: "%.6f", lp))\n"
            }
            try StandardOutput.write(lines)
        }
    }
}

/// The JSON shape of `rlhf score --json`.
struct ScoreResult: Encodable {
    let ids: [Int]
    let logprobs: [Float]
}
