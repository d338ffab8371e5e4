import Models

/// Rows of different lengths as one right-padded batch with its mask (every real token 1), as
/// `DataCollatorWithPadding` builds it: ids [B][T] padded with `padID` to the longest row.
public enum RewardBatch {
    /// The batch of `rows` (non-empty, each non-empty).
    public static func padded(_ rows: [[Int]], padID: Int) throws -> TokenBatch {
        let T = rows.map(\.count).max() ?? 0
        let ids = rows.map { $0 + Array(repeating: padID, count: T - $0.count) }
        let mask = rows.map { Array(repeating: 1, count: $0.count) + Array(repeating: 0, count: T - $0.count) }
        let positions = rows.map { _ in Array(0..<T) }
        return try TokenBatch(ids: ids, positions: positions, mask: rows.allSatisfy { $0.count == T } ? nil : mask)
    }

    /// `model`'s rewards of `rows` without training, in order: `batchSize` rows a pass, taken shortest
    /// first so each pass pads little (each padded to its longest row with `padID`; a padded row scores as
    /// it does alone).
    public static func rewards(of model: SequenceClassifier, rows: [[Int]], padID: Int, batchSize: Int) throws -> [Double] {
        var out = [Double](repeating: .nan, count: rows.count)
        let order = rows.indices.sorted { (rows[$0].count, $0) < (rows[$1].count, $1) }
        let size = max(1, batchSize)
        for start in stride(from: 0, to: order.count, by: size) {
            let pass = Array(order[start..<min(start + size, order.count)])
            for (i, reward) in zip(pass, try model.rewards(padded(pass.map { rows[$0] }, padID: padID))) { out[i] = Double(reward) }
        }
        return out
    }
}
