import Evaluation
import Foundation

/// `rlhf eval`'s terminal table: one row per policy, means ± standard errors.
enum EvalTable {
    /// The table of `summaries`, with a line under the header.
    static func render(_ summaries: [PolicySummary]) -> String {
        func f(_ value: Double?, _ digits: Int = 3) -> String { value.map { String(format: "%.\(digits)f", $0) } ?? "-" }
        func pm(_ mean: Double?, _ error: Double?) -> String { mean.map { _ in "\(f(mean)) ± \(f(error))" } ?? "-" }
        let header = ["policy", "reward", "gain", "KL", "sentiment", "harmless", "dist-1", "dist-2", "length", "EOS"]
        let rows = summaries.map { s in
            [MessageEscaping.oneLine(s.policy), pm(s.rewardMean, s.rewardStderr), s.gainText ?? "baseline", pm(s.klMean, s.klStderr),
             pm(s.sentimentMean, s.sentimentStderr), pm(s.harmlessnessMean, s.harmlessnessStderr), f(s.distinct1), f(s.distinct2),
             f(s.lengthMean, 1), String(format: "%.0f%%", s.eosShare * 100)]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
                .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
        }
        return line(header) + line(widths.map { String(repeating: "-", count: $0) }) + rows.map(line).joined()
            + verdicts(summaries)
    }

    /// For each policy after the first, two lines: its reward gain over the first with the gain's standard
    /// error and how many standard errors it is, and its KL to the reference.
    static func verdicts(_ summaries: [PolicySummary]) -> String {
        guard let base = summaries.first else { return "" }
        var text = ""
        for s in summaries.dropFirst() {
            guard let gain = s.rewardGain, let error = s.rewardGainStderr else { continue }
            let units = error > 0 ? String(format: " (%.1f standard errors)", gain / error) : ""
            text += "reward gain of \(MessageEscaping.oneLine(s.policy)) over \(MessageEscaping.oneLine(base.policy)): "
                + String(format: "%+.3f ± %.3f", gain, error) + units + "\n"
            if let kl = s.klMean {
                text += "KL of \(MessageEscaping.oneLine(s.policy)) to the reference: " + String(format: "%.2f ± %.2f", kl, s.klStderr ?? 0)
                    + " nats per response\n"
            }
        }
        return text
    }
}
