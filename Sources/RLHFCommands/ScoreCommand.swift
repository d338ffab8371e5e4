import ArgumentParser
import Foundation
import Models
import ModelIO

/// `rlhf score`: next-token log-probabilities of a token sequence (or a text) under a model.
struct ScoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Print log p(token | tokens before it) for each token after the first.")

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Token ids, comma-separated (e.g. 5,17,42).")
    var ids: IntegerList?

    @Option(help: "Text to score instead of --ids (encoded with the model's tokenizer).")
    var text: String?

    @Flag(help: "With --text: wrap it as one user message in the chat template, assistant turn opened.")
    var chat = false

    @Option(help: "Position ids, comma-separated, one per token (default: cumsum(mask) - 1).")
    var positionIds: IntegerList?

    @Option(help: "Attention mask, comma-separated 0/1, one per token (default: all 1).")
    var attentionMask: IntegerList?

    @Flag(help: "Print one JSON object {\"ids\": [...], \"logprobs\": [...]}.")
    var json = false

    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        guard (ids == nil) != (text == nil) else { throw ValidationError("give exactly one of --ids and --text") }
        if chat && text == nil { throw ValidationError("--chat needs --text") }
        if let ids, ids.values.count < 2 { throw ValidationError("--ids needs at least two tokens to score") }
        if text != nil && (positionIds != nil || attentionMask != nil) {
            throw ValidationError("--position-ids and --attention-mask go with --ids, not --text")
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
        compute.apply()
        let (lm, bundle) = try modelOptions.load(needsTokenizer: text != nil)
        let tokens = try text.map { try modelOptions.encode($0, chat: chat, bundle: bundle) } ?? ids!.values
        guard tokens.count >= 2 else { throw ValidationError("the text encodes to \(tokens.count) token(s); scoring needs two") }
        let batch = try TokenBatch(ids: [tokens], positions: positionIds.map { [$0.values] },
                                   mask: attentionMask.map { [$0.values] })
        let logprobs = try lm.nextTokenLogProbs(batch)[0]
        if json {
            print(try JSONOutput.line(ScoreResult(ids: tokens, logprobs: logprobs)))
        } else {
            for (i, lp) in logprobs.enumerated() {
                print("\(tokens[i + 1])\t\(String(format: "%.6f", lp))")
            }
        }
    }
}

/// The JSON shape of `rlhf score --json`.
struct ScoreResult: Encodable {
    let ids: [Int]
    let logprobs: [Float]
}
