import Models

/// Rewards of rows of any lengths (`SequenceClassifier.rewards(rows:)`), each pass checked against
/// this machine's memory first.
package enum RewardBatches {
    /// The most rows one forward pass takes.
    static let rowsPerPass = 16

    /// One reward per row of `rows` (each with its mask in `masks`, when given), in order.
    package static func rewards(_ classifier: SequenceClassifier, rows: [[Int]], masks: [[Int]]?) throws -> [Float] {
        try classifier.rewards(rows: rows, masks: masks, rowsPerPass: rowsPerPass) { count, length in
            try ModelWorkLimits.require(ModelWorkLimits.forwardFloats(classifier.config, batch: count, length: length),
                                        for: "scoring \(count) rows of \(length) tokens")
        }
    }
}
