import Foundation
import XCTest

/// What a run's folder holds, read back for comparisons.
enum RunOutput {
    /// The numbers of each line of `OUTPUT/metrics.jsonl`, without the keys that begin with any of
    /// `dropping` (by default the wall-clock ones, which differ from run to run).
    static func metrics(_ output: URL, dropping prefixes: [String] = ["time/", "tokens_per_s"]) throws -> [[String: Double]] {
        try String(contentsOf: output.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n").map { line in
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return object.compactMapValues { ($0 as? NSNumber)?.doubleValue }.filter { key, _ in !prefixes.contains { key.hasPrefix($0) } }
        }
    }
}
