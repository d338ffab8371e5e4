import Foundation
import Models
import Tensor

/// AdamW written out in Double from the textbook formulas (the torch.optim.AdamW docs), one float at a time.
/// The tests compare the optimizer against it; it shares no code with the optimizer.
struct AdamWReference {
    var lr: Double
    var beta1: Double
    var beta2: Double
    var eps: Double
    var weightDecay: Double
    var m: [Double]
    var v: [Double]
    var t = 0

    init(count: Int, lr: Double, beta1: Double, beta2: Double, eps: Double, weightDecay: Double) {
        self.lr = lr; self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.weightDecay = weightDecay
        m = Array(repeating: 0, count: count)
        v = Array(repeating: 0, count: count)
    }

    /// One step on p with gradient g; `decays[i]` says whether float i gets weight decay.
    mutating func step(_ p: inout [Double], _ g: [Double], decays: [Bool]) {
        t += 1
        for i in p.indices {
            if decays[i] { p[i] = p[i] - lr * weightDecay * p[i] }
            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
            let mHat = m[i] / (1 - Foundation.pow(beta1, Double(t)))
            let vHat = v[i] / (1 - Foundation.pow(beta2, Double(t)))
            p[i] = p[i] - lr * mHat / (vHat.squareRoot() + eps)
        }
    }
}

/// Test helpers on the flat buffers.
extension ParameterStore {
    /// Writes `numbers` into the values of tensor `name`.
    func setValues(_ name: String, _ numbers: [Double]) {
        for (i, x) in numbers.enumerated() { value(name)[i] = Float(x) }
    }

    /// Writes `numbers` into the gradients of tensor `name`.
    func setGradients(_ name: String, _ numbers: [Double]) {
        for (i, x) in numbers.enumerated() { gradient(name)[i] = Float(x) }
    }

    /// The values of tensor `name`, in Double.
    func values(_ name: String) -> [Double] {
        let s = spec(named: name)!
        return (0..<s.count).map { Double(value(name)[$0]) }
    }
}

/// A deterministic generator of numbers in [-1, 1) for filling large buffers (the project's SplitMix64).
struct TestNumbers {
    private var rng: SplitMix64

    init(state: UInt64) { rng = SplitMix64(seed: state) }

    mutating func next() -> Double { Double(rng.next() >> 11) / Double(1 << 53) * 2 - 1 }
}

