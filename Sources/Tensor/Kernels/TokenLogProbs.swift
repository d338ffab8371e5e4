import Foundation

/// One row's softmax(logits / T) statistics: the log-sum-exp of z = logits/T and the entropy.
struct TemperatureRowStatistics {
    /// log Σ e^(z_v)
    var logSumExp: Double
    /// H = −Σ p_v log p_v = logSumExp − Σ p_v z_v
    var entropy: Double
}

extension CPUKernels {
    /// Log-sum-exp (and, when asked, the entropy) of z = row / temperature for one row of V logits.
    /// Float SIMD partial sums of e^(z − max z) and e^(z − max z)·z, folded into Double every 512 values.
    @inline(__always)
    static func temperatureStatistics(_ row: FloatPointer, vocab V: Int, inverseTemperature k: Float,
                                      entropy wantsEntropy: Bool) -> TemperatureRowStatistics {
        let maxLogit = rowMax(row, count: V)
        if maxLogit == .infinity || maxLogit == -.infinity {
            return TemperatureRowStatistics(logSumExp: Double(maxLogit), entropy: .nan)
        }
        let shift = maxLogit * k  // max z
        let s = SIMD8<Float>(repeating: shift), scale = SIMD8<Float>(repeating: k)
        var sum = 0.0, weighted = 0.0
        var blockSum = SIMD8<Float>(), blockWeighted = SIMD8<Float>()
        var i = 0
        while i < V {
            let lanes = min(8, V - i)
            let z = row.loadLanes(i, count: lanes) * scale
            var e = FastMath.exp(z - s)
            if lanes < 8 { e = keepingLanes(e, below: lanes) }
            blockSum += e
            if wantsEntropy { blockWeighted += e * (z - s) }
            i += 8
            if i & 511 == 0 || i >= V {
                sum += Double(blockSum.sum()); weighted += Double(blockWeighted.sum())
                blockSum = SIMD8(); blockWeighted = SIMD8()
            }
        }
        // with y = z − max z: lse = max z + log S, H = log S − Σ e^y·y / S
        let logSum = Foundation.log(sum)
        return TemperatureRowStatistics(logSumExp: Double(shift) + logSum,
                                        entropy: wantsEntropy ? logSum - weighted / sum : 0)
    }

    /// logProbs[N] = log softmax(logits[n] / T)[targets[n]] (0 where targets[n] < 0) and, when `entropy`
    /// is given, entropy[N] = −Σ_v p_v log p_v of softmax(logits[n] / T). logits is [N,V].
    public static func tokenLogProbsForward(logProbs: FloatPointer, entropy: FloatPointer?, logits: FloatPointer,
                                            targets: TokenPointer, rows N: Int, vocab V: Int, temperature: Float) {
        let k = 1 / temperature
        Parallel.forRanges(N, costPerItem: V * 8) { rows in
            for n in rows {
                let row = logits + n * V  // [V]
                let stats = temperatureStatistics(row, vocab: V, inverseTemperature: k, entropy: entropy != nil)
                if let t = target(targets, row: n, vocab: V) {
                    logProbs[n] = Float(Double(row[t] * k) - stats.logSumExp)
                } else {
                    logProbs[n] = 0
                }
                entropy?[n] = Float(stats.entropy)
            }
        }
    }

    /// dLogits[N,V] (=; may alias logits) of Σ_n dLogProbs[n]·logp[n] + dEntropy[n]·H[n] with z = logits/T:
    ///
    ///     d/dlogits_v = (1/T)·[ dLogProbs[n]·(onehot_v − p_v) − dEntropy[n]·p_v·(log p_v + H) ]
    ///
    /// Either gradient may be nil (zero). Rows with targets[n] < 0 take only the entropy term.
    public static func tokenLogProbsBackward(dLogits: FloatPointer, logits: FloatPointer, targets: TokenPointer,
                                             dLogProbs: FloatPointer?, dEntropy: FloatPointer?, rows N: Int,
                                             vocab V: Int, temperature: Float) {
        let k = 1 / temperature
        Parallel.forRanges(N, costPerItem: V * 12) { rows in
            for n in rows {
                let row = logits + n * V, gradient = dLogits + n * V  // [V], [V]
                let t = target(targets, row: n, vocab: V)
                let wL = t == nil ? 0 : (dLogProbs?[n] ?? 0), wH = dEntropy?[n] ?? 0
                if wL == 0 && wH == 0 { gradient.update(repeating: 0, count: V); continue }
                let stats = temperatureStatistics(row, vocab: V, inverseTemperature: k, entropy: wH != 0)
                let lse = Float(stats.logSumExp), H = Float(stats.entropy)
                // read the target logit before an in-place pass overwrites it
                let targetLogit = t.map { row[$0] } ?? 0
                let L = SIMD8<Float>(repeating: lse), scale = SIMD8<Float>(repeating: k)
                let cL = SIMD8<Float>(repeating: -wL * k), cH = SIMD8<Float>(repeating: -wH * k)
                let h = SIMD8<Float>(repeating: H)
                var i = 0
                while i < V {
                    let lanes = min(8, V - i)
                    let logp = row.loadLanes(i, count: lanes) * scale - L
                    let p = FastMath.exp(logp)
                    // −wL·p/T − wH·p·(log p + H)/T
                    gradient.storeLanes(cL * p + cH * p * (logp + h), i, count: lanes)
                    i += 8
                }
                if let t {
                    let logp = targetLogit * k - lse
                    let p = FastMath.exp(logp)
                    gradient[t] = wL * k * (1 - p) - wH * k * p * (logp + H)
                }
            }
        }
    }
}
