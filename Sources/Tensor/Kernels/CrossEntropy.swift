import Foundation

extension CPUKernels {
    /// Logits per block of the one-pass log-sum-exp (8 KiB, so the second look at a block hits L1).
    static let logSumExpBlock = 2048

    /// log Σ_v e^(logits[v]) of one row of V logits, in one pass over memory.
    ///
    /// Each block of `logSumExpBlock` logits is shifted by its own max m_b and summed (Float SIMD partials
    /// folded into Double); blocks are merged as a running (max, sum) pair in Double:
    /// log Σ e^x = M + log Σ_b e^(m_b − M)·Σ e^(x − m_b). Blocks that are all −inf add nothing; a +inf
    /// logit gives +inf.
    @inline(__always)
    static func logSumExp(_ logits: FloatPointer, vocab V: Int) -> Double {
        var runningMax = -Double.infinity, runningSum: Double = 0
        var start = 0
        while start < V {
            let length = min(logSumExpBlock, V - start)
            let block = logits + start  // [length]
            start += length
            let blockMax = rowMax(block, count: length)
            if blockMax == -.infinity { continue }
            if blockMax == .infinity { return .infinity }
            let blockSum = blockedSum(block, count: length, ShiftedExp(shift: SIMD8(repeating: blockMax)))
            let m = Double(blockMax)
            if m > runningMax {
                runningSum = runningSum * Foundation.exp(runningMax - m) + blockSum
                runningMax = m
            } else {
                runningSum += blockSum * Foundation.exp(m - runningMax)
            }
        }
        return runningMax + Foundation.log(runningSum)
    }

    /// The target of row n, or nil when it is ignored (negative).
    @inline(__always)
    static func target(_ targets: TokenPointer, row n: Int, vocab V: Int) -> Int? {
        let t = Int(targets[n])
        precondition(t < V, "cross-entropy target \(t) at row \(n) is outside the vocabulary (0..<\(V))")
        return t < 0 ? nil : t
    }

    /// losses[N] = logSumExp(logits[n]) − logits[n, targets[n]] (0 where targets[n] < 0); saves
    /// logSumExp[N] for the backward pass. logits is [N,V].
    public static func crossEntropyForward(losses: FloatPointer, logSumExp lse: FloatPointer, logits: FloatPointer,
                                           targets: TokenPointer, rows N: Int, vocab V: Int) {
        Parallel.forRanges(N, costPerItem: V * 8) { rows in
            for n in rows {
                let row = logits + n * V  // [V]
                let rowLSE = logSumExp(row, vocab: V)
                lse[n] = Float(rowLSE)
                if let t = target(targets, row: n, vocab: V) {
                    losses[n] = Float(rowLSE - Double(row[t]))
                } else {
                    losses[n] = 0
                }
            }
        }
    }

    /// dLogits[N,V] (=) = (softmax(logits[n]) − onehot(targets[n]))·dLoss[n], with softmax from the saved
    /// logSumExp[N]; rows with targets[n] < 0 are zero. dLogits may alias logits (in place).
    public static func crossEntropyBackward(dLogits: FloatPointer, logits: FloatPointer, logSumExp lse: FloatPointer,
                                            targets: TokenPointer, dLoss: FloatPointer, rows N: Int, vocab V: Int) {
        Parallel.forRanges(N, costPerItem: V * 8) { rows in
            for n in rows {
                let row = logits + n * V, gradient = dLogits + n * V  // [V], [V]
                guard let t = target(targets, row: n, vocab: V) else {
                    gradient.update(repeating: 0, count: V)
                    continue
                }
                let rowLSE = lse[n], rowScale = dLoss[n]
                // read the target logit before an in-place pass overwrites it
                let targetGradient = (FastMath.exp(row[t] - rowLSE) - 1) * rowScale
                let shift = SIMD8<Float>(repeating: rowLSE), scale = SIMD8<Float>(repeating: rowScale)
                var i = 0
                while i + 8 <= V { gradient.store8(FastMath.exp(row.load8(i) - shift) * scale, i); i += 8 }
                let lanes = V - i
                if lanes > 0 {
                    gradient.storePartial(FastMath.exp(row.loadPartial(i, count: lanes) - shift) * scale, i, count: lanes)
                }
                gradient[t] = targetGradient
            }
        }
    }

    /// out[N] = log softmax(logits[n])[targets[n]] = logits[n, targets[n]] − logSumExp(logits[n]);
    /// 0 where targets[n] < 0 (ignored, as in the cross-entropy).
    public static func logSoftmaxGather(out: FloatPointer, logits: FloatPointer, targets: TokenPointer, rows N: Int,
                                        vocab V: Int) {
        Parallel.forRanges(N, costPerItem: V * 6) { rows in
            for n in rows {
                let row = logits + n * V  // [V]
                if let t = target(targets, row: n, vocab: V) {
                    out[n] = Float(Double(row[t]) - logSumExp(row, vocab: V))
                } else {
                    out[n] = 0
                }
            }
        }
    }
}
