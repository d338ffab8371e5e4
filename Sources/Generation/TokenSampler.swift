import Models
import Tensor

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Picks one token from a row of logits according to `SamplingParameters`.
///
/// The returned log-probability is that of the distribution actually sampled from: log softmax(logits/T),
/// renormalised over the tokens top-k / top-p / min-p keep. With top-k 0, top-p 1 and min-p 0 it equals
/// log softmax(logits/T)[token], which is what a PPO learner recomputes.
public struct TokenSampler: Sendable {
    /// Sampling settings.
    public let parameters: SamplingParameters

    /// A sampler for `parameters`.
    public init(parameters: SamplingParameters) { self.parameters = parameters }

    /// Samples from logits[V] (read-only) using `rng`; `scratch` must hold V floats.
    public func sample(logits: UnsafePointer<Float>, vocab V: Int, scratch: UnsafeMutablePointer<Float>,
                       rng: inout SplitMix64) -> (token: Int, logprob: Float) {
        let temperature = parameters.greedy ? 1 : parameters.temperature
        let maxLogit = CPUKernels.rowMaximum(logits, count: V)
        var best = 0
        while best < V - 1 && logits[best] != maxLogit { best += 1 }
        // weights[i] = exp((logits[i] - max) / T), summed in Double for a long vocabulary
        let invT = 1 / temperature
        let sum = CPUKernels.exponentiateShifted(logits, into: scratch, count: V, shift: maxLogit, scale: invT)
        if parameters.greedy {
            return (best, Float(-log(sum)))
        }
        let filtering = parameters.topK > 0 || parameters.topP < 1 || parameters.minP > 0
        if !filtering {
            // inverse-CDF draw over the full distribution
            let u = Double(rng.nextUnitFloat()) * sum
            var acc = 0.0
            for i in 0..<V {
                acc += Double(scratch[i])
                if acc > u { return (i, Float(log(Double(scratch[i]) / sum))) }
            }
            return (best, Float(-log(sum)))
        }
        return sampleFiltered(weights: scratch, vocab: V, sum: sum, rng: &rng)
    }

    /// Top-k, then min-p, then top-p over the candidates sorted by probability; renormalised draw.
    private func sampleFiltered(weights: UnsafeMutablePointer<Float>, vocab V: Int, sum: Double,
                                rng: inout SplitMix64) -> (token: Int, logprob: Float) {
        var order = Array(0..<V)
        let k = parameters.topK > 0 ? min(parameters.topK, V) : V
        if k < V {
            // partial selection is enough for top-k
            order.sort { weights[$0] > weights[$1] }
            order.removeLast(V - k)
        } else {
            order.sort { weights[$0] > weights[$1] }
        }
        var probs = order.map { Double(weights[$0]) / sum }
        if parameters.minP > 0 {
            let floor = probs[0] * Double(parameters.minP)
            let keep = probs.firstIndex { $0 < floor } ?? probs.count
            probs.removeLast(probs.count - max(keep, 1)); order.removeLast(order.count - max(keep, 1))
        }
        if parameters.topP < 1 {
            let total = probs.reduce(0, +)
            var acc = 0.0
            var keep = probs.count
            for (i, p) in probs.enumerated() {
                acc += p / total
                if acc >= Double(parameters.topP) { keep = i + 1; break }
            }
            probs.removeLast(probs.count - keep); order.removeLast(order.count - keep)
        }
        let total = probs.reduce(0, +)
        let u = Double(rng.nextUnitFloat()) * total
        var acc = 0.0
        var pick = probs.count - 1
        for (i, p) in probs.enumerated() {
            acc += p
            if acc > u { pick = i; break }
        }
        return (order[pick], Float(log(probs[pick] / total)))
    }
}
