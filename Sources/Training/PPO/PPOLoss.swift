/// The clipped PPO objective on one minibatch, as TRL 0.11's `PPOTrainer.loss`, with its gradients with
/// respect to the new log-probs, values and entropies, ready for `CausalLM.backward(PolicyGradients)`:
///
///     r = exp(logp − logp_old)
///     policy = mean_m max(−A·r, −A·clip(r, 1 − ε, 1 + ε))
///     value  = ½ · mean_m max((v − R)², (clip(v, v_old − ε_v, v_old + ε_v) − R)²)
///     loss   = policy + c_v · value − c_H · mean_m H
///
/// (mean_m: the mean over response tokens). Gradients take torch's convention at ties (each side of a
/// `max` gets half, and a clamp passes the gradient on its boundary).
public struct PPOLoss: Sendable, Equatable {
    /// The clipped policy loss (`ppo/loss/policy`).
    public var policy: Double
    /// The clipped value loss (`ppo/loss/value`).
    public var value: Double
    /// policy + c_v·value − c_H·entropy.
    public var total: Double
    /// Fraction of response tokens whose policy term was clipped (`ppo/policy/clipfrac`).
    public var clipFraction: Double
    /// Fraction whose value term was clipped (`ppo/val/clipfrac`).
    public var valueClipFraction: Double
    /// ½·mean_m (logp − logp_old)² (`ppo/policy/approxkl`).
    public var approxKL: Double
    /// mean_m (logp_old − logp) (`ppo/policy/policykl`).
    public var policyKL: Double
    /// mean_m r.
    public var meanRatio: Double
    /// mean_m H, when entropies were given.
    public var entropy: Double
    /// d total / d logp [B·T].
    public var dLogProbs: [Float]
    /// d total / d v [B·T].
    public var dValues: [Float]
    /// d total / d H [B·T] (−c_H / count at response tokens).
    public var dEntropy: [Float]

    /// The loss of one minibatch; every array [B·T] (`entropy` may be nil when c_H is 0).
    public init(logProbs: [Float], oldLogProbs: [Float], advantages: [Float], values: [Float], oldValues: [Float],
                returns: [Float], mask: [Float], entropy: [Float]? = nil, clipRange: Double, valueClipRange: Double,
                valueCoefficient: Double, entropyCoefficient: Double = 0) throws(PPOInputError) {
        let n = mask.count
        for (name, array) in [("logProbs", logProbs), ("oldLogProbs", oldLogProbs), ("advantages", advantages),
                              ("values", values), ("oldValues", oldValues), ("returns", returns)] {
            try PPOInputError.check(array.count == n, name, expected: n, got: array.count)
        }
        if let entropy { try PPOInputError.check(entropy.count == n, "entropy", expected: n, got: entropy.count) }
        let count = mask.reduce(0.0) { $0 + Double($1) }
        let weight = count > 0 ? 1 / count : 0
        var policy = 0.0, value = 0.0, clipped = 0.0, valueClipped = 0.0, approx = 0.0, policyKL = 0.0
        var ratioSum = 0.0, entropySum = 0.0
        var dLogProbs = [Float](repeating: 0, count: n), dValues = [Float](repeating: 0, count: n)
        var dEntropy = [Float](repeating: 0, count: n)
        for i in 0..<n where mask[i] != 0 {
            let m = Double(mask[i])
            // policy
            let logRatio = Double(logProbs[i]) - Double(oldLogProbs[i])
            let r = Self.exp(logRatio), a = Double(advantages[i])
            let low = 1 - clipRange, high = 1 + clipRange
            let rc = min(max(r, low), high)
            let unclipped = -a * r, clippedTerm = -a * rc
            policy += m * max(unclipped, clippedTerm)
            if clippedTerm > unclipped { clipped += m }
            // d/dr of max(−a·r, −a·clip(r)): the chosen side's slope (half each at a tie)
            let clipSlope = (r >= low && r <= high) ? -a : 0
            let slope = unclipped > clippedTerm ? -a : unclipped < clippedTerm ? clipSlope : (-a + clipSlope) / 2
            dLogProbs[i] = Float(weight * m * slope * r)
            approx += m * 0.5 * logRatio * logRatio
            policyKL += m * -logRatio
            ratioSum += m * r
            // value
            let v = Double(values[i]), old = Double(oldValues[i]), target = Double(returns[i])
            let vc = min(max(v, old - valueClipRange), old + valueClipRange)
            let e1 = (v - target) * (v - target), e2 = (vc - target) * (vc - target)
            value += m * 0.5 * max(e1, e2)
            if e2 > e1 { valueClipped += m }
            let inside = v >= old - valueClipRange && v <= old + valueClipRange
            let g1 = v - target, g2 = inside ? vc - target : 0
            let valueSlope = e1 > e2 ? g1 : e1 < e2 ? g2 : (g1 + g2) / 2
            dValues[i] = Float(valueCoefficient * weight * m * valueSlope)
            if let entropy { entropySum += m * Double(entropy[i]) }
            dEntropy[i] = Float(-entropyCoefficient * weight * m)
        }
        self.policy = policy * weight
        self.value = value * weight
        self.entropy = entropySum * weight
        total = self.policy + valueCoefficient * self.value - entropyCoefficient * self.entropy
        clipFraction = clipped * weight
        valueClipFraction = valueClipped * weight
        approxKL = approx * weight
        self.policyKL = policyKL * weight
        meanRatio = ratioSum * weight
        self.dLogProbs = dLogProbs
        self.dValues = dValues
        self.dEntropy = dEntropy
    }

    private static func exp(_ x: Double) -> Double { Foundation.exp(x) }
}

import Foundation
