#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension CPUKernels {
    /// Samples one token for each row in `rows` of logits[B,V] by `rule`, row b drawing from `streams[b]`;
    /// scratch[B,V] holds each row's sampling weights. Rows run in parallel; results follow `rows`.
    static func sampleTokens(logits: FloatPointer, scratch: FloatPointer, rows: [Int], vocab V: Int,
                                    rule: SamplingRule, streams: inout [SplitMix64]) -> [SampledToken] {
        var picks = [SampledToken](repeating: SampledToken(token: 0, logprob: 0), count: rows.count)
        streams.withUnsafeMutableBufferPointer { rng in
            picks.withUnsafeMutableBufferPointer { pick in
                Parallel.forRanges(rows.count, costPerItem: V) { range in
                    for i in range {
                        let b = rows[i]
                        pick[i] = sampleToken(logits: logits + b * V, vocab: V, scratch: scratch + b * V, rule: rule,
                                              rng: &rng[b])
                    }
                }
            }
        }
        return picks
    }

    /// One token from logits[V] (read-only) by `rule`; scratch[V] receives the weights. The log-probability
    /// is that of the distribution actually sampled: log softmax(logits/T), renormalised over the tokens
    /// top-k / top-p / min-p keep. With none of those it equals log softmax(logits/T)[token].
    static func sampleToken(logits: FloatPointer, vocab V: Int, scratch: FloatPointer, rule: SamplingRule,
                                   rng: inout SplitMix64) -> SampledToken {
        let temperature = rule.greedy ? 1 : rule.temperature
        let maxLogit = rowMaximum(logits, count: V)
        var best = 0
        while best < V - 1 && logits[best] != maxLogit { best += 1 }
        // weights[i] = exp((logits[i] - max) / T), summed in Double for a long vocabulary
        let sum = exponentiateShifted(logits, into: scratch, count: V, shift: maxLogit, scale: 1 / temperature)
        if rule.greedy { return SampledToken(token: best, logprob: Float(-log(sum))) }
        guard rule.filters else {
            // inverse-CDF draw over the full distribution
            let u = Double(rng.nextUnitFloat()) * sum
            var acc = 0.0
            for i in 0..<V {
                acc += Double(scratch[i])
                if acc > u { return SampledToken(token: i, logprob: Float(log(Double(scratch[i]) / sum))) }
            }
            return SampledToken(token: best, logprob: Float(-log(sum)))
        }
        return sampleFiltered(weights: scratch, vocab: V, sum: sum, rule: rule, rng: &rng)
    }

    /// Top-k, then min-p, then top-p over the candidates sorted by probability; renormalised draw.
    private static func sampleFiltered(weights: FloatPointer, vocab V: Int, sum: Double, rule: SamplingRule,
                                       rng: inout SplitMix64) -> SampledToken {
        var order = Array(0..<V)
        order.sort { weights[$0] > weights[$1] }
        let k = rule.topK > 0 ? min(rule.topK, V) : V
        if k < V { order.removeLast(V - k) }
        var probs = order.map { Double(weights[$0]) / sum }
        if rule.minP > 0 {
            let floor = probs[0] * Double(rule.minP)
            let keep = probs.firstIndex { $0 < floor } ?? probs.count
            probs.removeLast(probs.count - max(keep, 1)); order.removeLast(order.count - max(keep, 1))
        }
        if rule.topP < 1 {
            let total = probs.reduce(0, +)
            var acc = 0.0
            var keep = probs.count
            for (i, p) in probs.enumerated() {
                acc += p / total
                if acc >= Double(rule.topP) { keep = i + 1; break }
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
        return SampledToken(token: order[pick], logprob: Float(log(probs[pick] / total)))
    }
}
