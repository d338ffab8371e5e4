import Foundation

/// Which preference loss a DPO step minimises (TRL's `loss_type`).
public enum DPOLossKind: String, Sendable, CaseIterable {
    /// DPO: −log σ(β · ((π_c − ref_c) − (π_r − ref_r))).
    case sigmoid
    /// IPO: (((π_c − ref_c) − (π_r − ref_r)) − 1/(2β))², on length-averaged log-probs.
    case ipo
}

/// The DPO or IPO loss of a batch of preference pairs from their sequence log-probs under the policy and
/// the frozen reference, with TRL's metrics (implicit rewards β·(π − ref), their margin, the reward
/// accuracy) and the gradient of the mean loss with respect to each policy log-prob.
public struct DPOLoss: Sendable, Equatable {
    /// The mean loss over the pairs.
    public var loss: Double
    /// β·(π_c − ref_c) and β·(π_r − ref_r) per pair.
    public var chosenRewards: [Double], rejectedRewards: [Double]
    /// The share of pairs whose chosen reward is above the rejected one.
    public var accuracy: Double
    /// The mean of chosen − rejected rewards.
    public var margin: Double
    /// d loss / d π_c and d loss / d π_r per pair.
    public var dPolicyChosen: [Double], dPolicyRejected: [Double]

    /// The loss of pairs i with policy log-probs `policyChosen[i]`, `policyRejected[i]` and reference
    /// ones `referenceChosen[i]`, `referenceRejected[i]` (one number per sequence; for IPO, averaged
    /// over its response tokens), at strength `beta` > 0.
    public init(policyChosen: [Double], policyRejected: [Double], referenceChosen: [Double], referenceRejected: [Double],
                beta: Double, kind: DPOLossKind) throws(DPOInputError) {
        let n = policyChosen.count
        guard n > 0 else { throw .empty }
        for (name, array) in [("policyRejected", policyRejected), ("referenceChosen", referenceChosen),
                              ("referenceRejected", referenceRejected)] where array.count != n {
            throw .length(name, expected: n, got: array.count)
        }
        guard beta > 0, beta.isFinite else { throw .beta(beta) }
        var loss = 0.0
        var dChosen = [Double](repeating: 0, count: n), dRejected = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let logits = (policyChosen[i] - referenceChosen[i]) - (policyRejected[i] - referenceRejected[i])
            let dLogits: Double
            switch kind {
            case .sigmoid:
                let z = beta * logits
                loss += Self.softplus(-z)  // −log σ(z)
                dLogits = -beta * Self.sigmoid(-z)
            case .ipo:
                let gap = logits - 1 / (2 * beta)
                loss += gap * gap
                dLogits = 2 * gap
            }
            dChosen[i] = dLogits / Double(n)
            dRejected[i] = -dLogits / Double(n)
        }
        self.loss = loss / Double(n)
        chosenRewards = (0..<n).map { beta * (policyChosen[$0] - referenceChosen[$0]) }
        rejectedRewards = (0..<n).map { beta * (policyRejected[$0] - referenceRejected[$0]) }
        accuracy = Double(zip(chosenRewards, rejectedRewards).filter { $0 > $1 }.count) / Double(n)
        margin = zip(chosenRewards, rejectedRewards).reduce(0) { $0 + $1.0 - $1.1 } / Double(n)
        dPolicyChosen = dChosen
        dPolicyRejected = dRejected
    }

    /// log(1 + e^x), without overflow.
    static func softplus(_ x: Double) -> Double { x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)) }

    /// 1 / (1 + e^−x), without overflow.
    static func sigmoid(_ x: Double) -> Double { x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)) }
}
