import CKernels

extension CPUKernels {
    /// logProbs[N] = log softmax(logits[n] / T)[targets[n]] (0 where targets[n] < 0) and, when `entropy`
    /// is given, entropy[N] = −Σ_v p_v log p_v of softmax(logits[n] / T). logits is [N,V]. Per row: the
    /// log-sum-exp of z = logits/T and Σ p·z from float partial sums folded into Double every 512 values.
    static func tokenLogProbsForward(logProbs: FloatPointer, entropy: FloatPointer?, logits: FloatPointer,
                                            targets: TokenPointer, rows N: Int, vocab V: Int, temperature: Float) {
        checkTargets(targets, rows: N, vocab: V)
        Parallel.forRanges(N, costPerItem: V * 8) { rows in
            rlhf_token_logprobs_forward(logProbs, entropy, logits, targets, V, temperature, rows.lowerBound,
                                        rows.upperBound)
        }
    }

    /// dLogits[N,V] (=; may alias logits) of Σ_n dLogProbs[n]·logp[n] + dEntropy[n]·H[n] with z = logits/T:
    ///
    ///     d/dlogits_v = (1/T)·[ dLogProbs[n]·(onehot_v − p_v) − dEntropy[n]·p_v·(log p_v + H) ]
    ///
    /// Either gradient may be nil (zero). Rows with targets[n] < 0 take only the entropy term.
    static func tokenLogProbsBackward(dLogits: FloatPointer, logits: FloatPointer, targets: TokenPointer,
                                             dLogProbs: FloatPointer?, dEntropy: FloatPointer?, rows N: Int,
                                             vocab V: Int, temperature: Float) {
        checkTargets(targets, rows: N, vocab: V)
        Parallel.forRanges(N, costPerItem: V * 12) { rows in
            rlhf_token_logprobs_backward(dLogits, logits, targets, dLogProbs, dEntropy, V, temperature, rows.lowerBound,
                                         rows.upperBound)
        }
    }
}
