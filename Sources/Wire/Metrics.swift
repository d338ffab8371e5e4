/// `METRICS`: one iteration's metrics, published on the learner's PUB socket under the names of
/// `metrics.jsonl`; a monitor may subscribe at any time.
package struct Metrics: Sendable, Equatable {
    /// The PPO iteration (≥ 0).
    package var iteration: Int
    /// Name → value; names are not empty. Any double travels, NaN and infinities included.
    package var values: [String: Double]

    /// Creates a metrics message.
    package init(iteration: Int, values: [String: Double]) { self.iteration = iteration; self.values = values }
}
