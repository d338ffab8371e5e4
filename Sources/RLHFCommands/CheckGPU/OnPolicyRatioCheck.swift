import Foundation
import ModelIO
import Models
import Tensor

/// PPO's importance ratio is exactly 1 on-policy only if a row's log-probs do not depend on the batch it is
/// computed in: the learner scores minibatches of what the generators scored in other batches. On the
/// process's backend: the log-probs of 8 rows at once, then of rows 0-3 and 4-7 alone, must be the same bits,
/// and a second run of the full batch too.
enum OnPolicyRatioCheck {
    static func run(model url: URL) throws -> [CheckOutcome] {
        let loaded = try Llama2cCheckpoint.load(url: url)
        let lm = CausalLM(config: loaded.config, parameters: loaded.parameters)
        var rng = SplitMix64(seed: 5)
        let rows = (0..<8).map { _ in [1] + (0..<23).map { _ in 2 + Int(rng.next() % 500) } }
        func logProbs(_ sequences: [[Int]]) throws -> [Float] {
            _ = try lm.forward(try TokenBatch(ids: sequences))
            let targets: [Int32] = sequences.flatMap { row -> [Int32] in row.dropFirst().map { Int32($0) } + [-1] }
            return try lm.tokenLogProbs(targets: targets, temperature: 0.9).logProbs
        }
        let whole = try logProbs(rows)
        let again = try logProbs(rows)
        let halves = try logProbs(Array(rows[0..<4])) + logProbs(Array(rows[4..<8]))
        let ratios = zip(whole, halves).map { exp(Double($0) - Double($1)) }
        let worst = ratios.map { abs($0 - 1) }.max() ?? 0
        return [CheckOutcome(name: "on-policy ratio", passed: whole == halves && whole == again,
                             detail: whole == halves ? "log-probs of 8 rows equal those of 2 batches of 4 bit for bit: every ratio is exactly 1"
                                 : "log-probs differ between batch sizes: ratio off 1 by up to \(worst)")]
    }
}
