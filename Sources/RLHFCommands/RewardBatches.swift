import Models

/// Rewards of rows of any lengths, each exactly what the row scored alone gives: rows of one length run
/// together (no padding, so no pad id is needed to find a row's end), in passes of at most
/// `rowsPerPass` rows.
enum RewardBatches {
    /// The most rows one forward pass takes.
    static let rowsPerPass = 16

    /// One reward per row of `rows` (each with its mask in `masks`, when given), in order.
    static func rewards(_ classifier: SequenceClassifier, rows: [[Int]], masks: [[Int]]?) throws -> [Float] {
        var rewards = [Float](repeating: .nan, count: rows.count)
        let byLength = Dictionary(grouping: rows.indices, by: { rows[$0].count })
        for length in byLength.keys.sorted() {
            let indices = byLength[length]!
            for start in stride(from: 0, to: indices.count, by: rowsPerPass) {
                let pass = Array(indices[start..<min(start + rowsPerPass, indices.count)])
                try ModelWorkLimits.require(ModelWorkLimits.forwardFloats(classifier.config, batch: pass.count, length: length),
                                            for: "scoring \(pass.count) rows of \(length) tokens")
                let batch = try TokenBatch(ids: pass.map { rows[$0] }, positions: nil, mask: masks.map { m in pass.map { m[$0] } })
                for (i, reward) in zip(pass, try classifier.rewards(batch)) { rewards[i] = reward }
            }
        }
        return rewards
    }
}
