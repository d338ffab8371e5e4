import Foundation
import Storage

/// Reads the pairs to label: JSON Lines with "prompt", "response_a" and "response_b" strings per line (what
/// `rlhf pairs --labeler none` writes; other keys are ignored), at most `limit` bytes.
package enum LabelPairsFile {
    /// The largest pairs file read (far above what people label by hand).
    package static let limit = 256 << 20

    /// The pairs of `path`, ids from 1 in line order; blank lines are skipped.
    package static func read(_ path: String) throws(DataFileError) -> [LabelPair] {
        let data: Data
        do { data = try SideFile.read(path, limit: limit, what: "a pairs file") } catch {
            throw DataFileError(file: error.path, line: nil, reason: error.reason)
        }
        var pairs: [LabelPair] = []
        for (index, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated()
            where !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  let prompt = object["prompt"] as? String, let a = object["response_a"] as? String, let b = object["response_b"] as? String else {
                throw DataFileError(file: path, line: index + 1,
                                    reason: "expected a JSON object with \"prompt\", \"response_a\" and \"response_b\" strings (rlhf pairs --labeler none)")
            }
            pairs.append(LabelPair(id: Int64(pairs.count + 1), prompt: prompt, responseA: a, responseB: b))
        }
        guard !pairs.isEmpty else { throw DataFileError(file: path, line: nil, reason: "holds no pair") }
        return pairs
    }
}
