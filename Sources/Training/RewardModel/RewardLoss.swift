import Foundation

/// The reward-model losses, in double precision, with their gradients with respect to the rewards.
public enum RewardLoss {
    /// One batch's loss, its gradient per reward and how often the model ranks or labels right.
    public struct Result: Sendable, Equatable {
        /// The mean loss.
        public var loss: Double
        /// d loss / d reward, per reward in the order given (chosen then rejected for pairs).
        public var gradient: [Double]
        /// Share of pairs ranked right (chosen above rejected), or of texts labelled right (logit > 0 ⇔ 1).
        public var accuracy: Double
    }

    /// Bradley-Terry: mean over pairs of −log σ(r_c − r_r − margin) (TRL's `RewardTrainer`, with its
    /// optional per-pair margin); a tie counts as wrong. `chosen`, `rejected` and `margins` are [n].
    public static func bradleyTerry(chosen: [Double], rejected: [Double], margins: [Double]? = nil) -> Result {
        let n = chosen.count
        precondition(rejected.count == n && (margins?.count ?? n) == n && n > 0, "one reward per side of each pair")
        var loss = 0.0, right = 0.0
        var gradient = [Double](repeating: 0, count: 2 * n)
        for i in 0..<n {
            let z = chosen[i] - rejected[i] - (margins?[i] ?? 0)
            loss += softplus(-z)
            let slope = sigmoid(-z) / Double(n)  // −d loss / d z
            gradient[i] = -slope
            gradient[n + i] = slope
            if chosen[i] > rejected[i] { right += 1 }
        }
        return Result(loss: loss / Double(n), gradient: gradient, accuracy: right / Double(n))
    }

    /// Pointwise binary cross-entropy on logits: mean of softplus(x) − y·x, labels 0 or 1 ([n] each).
    public static func binaryCrossEntropy(logits: [Double], labels: [Int]) -> Result {
        let n = logits.count
        precondition(labels.count == n && n > 0, "one label per logit")
        var loss = 0.0, right = 0.0
        var gradient = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let x = logits[i], y = Double(labels[i])
            loss += softplus(x) - y * x
            gradient[i] = (sigmoid(x) - y) / Double(n)
            if (x > 0) == (labels[i] == 1) { right += 1 }
        }
        return Result(loss: loss / Double(n), gradient: gradient, accuracy: right / Double(n))
    }

    /// log(1 + eˣ) without overflow.
    static func softplus(_ x: Double) -> Double { x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)) }

    /// 1 / (1 + e⁻ˣ) without overflow.
    static func sigmoid(_ x: Double) -> Double { x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)) }
}
