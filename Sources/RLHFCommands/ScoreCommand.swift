import ArgumentParser
import Foundation
import Models
import ModelIO

/// `rlhf score`: next-token log-probabilities of a token sequence under a model.
struct ScoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Print log p(token | tokens before it) for each token after the first.")

    @Option(help: "Model: a Hugging Face folder (config.json + model.safetensors).")
    var model: String

    @Option(help: "Token ids, comma-separated (e.g. 5,17,42).")
    var ids: IntegerList

    @Option(help: "Position ids, comma-separated, one per token (default: cumsum(mask) - 1).")
    var positionIds: IntegerList?

    @Option(help: "Attention mask, comma-separated 0/1, one per token (default: all 1).")
    var attentionMask: IntegerList?

    @Flag(help: "Print one JSON object {\"ids\": [...], \"logprobs\": [...]}.")
    var json = false

    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        guard ids.values.count >= 2 else { throw ValidationError("--ids needs at least two tokens to score") }
        if let p = positionIds, p.values.count != ids.values.count {
            throw ValidationError("--position-ids has \(p.values.count) values but --ids has \(ids.values.count)")
        }
        if let m = attentionMask {
            guard m.values.count == ids.values.count else {
                throw ValidationError("--attention-mask has \(m.values.count) values but --ids has \(ids.values.count)")
            }
            guard m.values.allSatisfy({ $0 == 0 || $0 == 1 }) else {
                throw ValidationError("--attention-mask values must be 0 or 1")
            }
        }
    }

    func run() async throws {
        compute.apply()
        let lm = try ModelLoading.load(path: model)
        let batch = try TokenBatch(ids: [ids.values], positions: positionIds.map { [$0.values] },
                                   mask: attentionMask.map { [$0.values] })
        let logprobs = try lm.nextTokenLogProbs(batch)[0]
        if json {
            print(try JSONOutput.line(ScoreResult(ids: ids.values, logprobs: logprobs)))
        } else {
            for (i, lp) in logprobs.enumerated() {
                print("\(ids.values[i + 1])\t\(String(format: "%.6f", lp))")
            }
        }
    }
}

/// The JSON shape of `rlhf score --json`.
struct ScoreResult: Encodable {
    let ids: [Int]
    let logprobs: [Float]
}
