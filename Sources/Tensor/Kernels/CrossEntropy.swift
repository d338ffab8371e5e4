import CKernels

extension CPUKernels {
    /// Checks that every target in targets[N] is below V (negative targets are ignored rows).
    static func checkTargets(_ targets: TokenPointer, rows N: Int, vocab V: Int) {
        for n in 0..<N {
            let t = Int(targets[n])
            precondition(t < V, "cross-entropy target \(t) at row \(n) is outside the vocabulary (0..<\(V))")
        }
    }

    /// losses[N] = logSumExp(logits[n]) − logits[n, targets[n]] (0 where targets[n] < 0); saves
    /// logSumExp[N] for the backward pass. logits is [N,V]. The log-sum-exp is one pass over memory:
    /// blocks of 2048 logits each shifted by their own max, merged as a running (max, sum) pair in Double.
    static func crossEntropyForward(losses: FloatPointer, logSumExp lse: FloatPointer, logits: FloatPointer,
                                           targets: TokenPointer, rows N: Int, vocab V: Int) {
        checkTargets(targets, rows: N, vocab: V)
        Parallel.forRanges(N, costPerItem: V * 8) { rows in
            rlhf_cross_entropy_forward(losses, lse, logits, targets, V, rows.lowerBound, rows.upperBound)
        }
    }

    /// dLogits[N,V] (=) = (softmax(logits[n]) − onehot(targets[n]))·dLoss[n], with softmax from the saved
    /// logSumExp[N]; rows with targets[n] < 0 are zero. dLogits may alias logits (in place).
    static func crossEntropyBackward(dLogits: FloatPointer, logits: FloatPointer, logSumExp lse: FloatPointer,
                                            targets: TokenPointer, dLoss: FloatPointer, rows N: Int, vocab V: Int) {
        checkTargets(targets, rows: N, vocab: V)
        Parallel.forRanges(N, costPerItem: V * 8) { rows in
            rlhf_cross_entropy_backward(dLogits, logits, lse, targets, dLoss, V, rows.lowerBound, rows.upperBound)
        }
    }

    /// out[N] = log softmax(logits[n])[targets[n]] = logits[n, targets[n]] − logSumExp(logits[n]);
    /// 0 where targets[n] < 0 (ignored, as in the cross-entropy).
    static func logSoftmaxGather(out: FloatPointer, logits: FloatPointer, targets: TokenPointer, rows N: Int,
                                        vocab V: Int) {
        checkTargets(targets, rows: N, vocab: V)
        Parallel.forRanges(N, costPerItem: V * 6) { rows in
            rlhf_log_softmax_gather(out, logits, targets, V, rows.lowerBound, rows.upperBound)
        }
    }
}
