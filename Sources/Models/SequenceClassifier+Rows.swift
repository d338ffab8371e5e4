/// Rewards of rows of any lengths.
extension SequenceClassifier {
    /// One reward per row of `rows` (each with its mask in `masks`, when given), in order, each exactly
    /// what the row scored alone gives: rows of one length run together (no padding, so no pad id is
    /// needed to find a row's end), in passes of at most `rowsPerPass` rows. `beforePass(rows, length)`
    /// runs before each pass (a caller's memory check).
    public func rewards(rows: [[Int]], masks: [[Int]]? = nil, rowsPerPass: Int = 16,
                        beforePass: (_ rows: Int, _ length: Int) throws -> Void = { _, _ in }) throws -> [Float] {
        var rewards = [Float](repeating: .nan, count: rows.count)
        let byLength = Dictionary(grouping: rows.indices, by: { rows[$0].count })
        for length in byLength.keys.sorted() {
            let indices = byLength[length]!
            for start in stride(from: 0, to: indices.count, by: max(rowsPerPass, 1)) {
                let pass = Array(indices[start..<min(start + max(rowsPerPass, 1), indices.count)])
                try beforePass(pass.count, length)
                let batch = try TokenBatch(ids: pass.map { rows[$0] }, positions: nil, mask: masks.map { m in pass.map { m[$0] } })
                for (i, reward) in zip(pass, try self.rewards(batch)) { rewards[i] = reward }
            }
        }
        return rewards
    }
}
