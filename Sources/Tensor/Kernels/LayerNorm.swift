import CKernels

extension CPUKernels {
    /// out[N,C] = (x − mean)·rstd·weight[C] + bias[C] per row x = input[n], with the biased variance and
    /// rstd = 1/sqrt(var + eps); saves mean[N] and rstd[N] for the backward pass.
    static func layerNormForward(out: FloatPointer, mean: FloatPointer, rstd: FloatPointer,
                                        input: FloatPointer, weight: FloatPointer, bias: FloatPointer,
                                        rows N: Int, channels C: Int, eps: Float) {
        Parallel.forRanges(N, costPerItem: C * 4) { rows in
            rlhf_layernorm_forward(out, mean, rstd, input, weight, bias, C, eps, rows.lowerBound, rows.upperBound)
        }
    }

    /// dInput[N,C] +=, dWeight[C] +=, dBias[C] += from dOut[N,C], with the saved mean[N] and rstd[N]:
    /// with x̂ = (x − mean)·rstd and g = dOut·weight, dx = rstd·(g − mean(g) − x̂·mean(g·x̂)).
    ///
    /// Rows are split over workers; each sums its dWeight/dBias rows into its own partials, which are
    /// added in worker order at the end.
    static func layerNormBackward(dInput: FloatPointer, dWeight: FloatPointer, dBias: FloatPointer,
                                         dOut: FloatPointer, input: FloatPointer, weight: FloatPointer,
                                         mean: FloatPointer, rstd: FloatPointer, rows N: Int, channels C: Int) {
        let capacity = max(1, Parallel.threadCount)
        let partials = FloatBuffer(count: capacity * 2 * C)  // [workers, 2, C]: dWeight | dBias per worker
        let workers = Parallel.forRangesIndexed(N, costPerItem: C * 8) { worker, rows in
            precondition(worker < capacity, "Parallel.threadCount changed during layerNormBackward")
            let partialWeight = partials.pointer + worker * 2 * C  // [C]
            rlhf_layernorm_backward(dInput, partialWeight, partialWeight + C, dOut, input, weight, mean, rstd, C,
                                    rows.lowerBound, rows.upperBound)
        }
        for w in 0..<workers {
            addInPlace(dWeight, partials.pointer + w * 2 * C, count: C)
            addInPlace(dBias, partials.pointer + w * 2 * C + C, count: C)
        }
    }
}
