import CKernels

extension CPUKernels {
    /// out[N,C] = weight[C] · (x · rstd) per row x = input[n], rstd = 1/sqrt(mean(x²) + eps)
    /// (Hugging Face `LlamaRMSNorm`); saves rstd[N].
    static func rmsNormForward(out: FloatPointer, rstd: FloatPointer, input: FloatPointer,
                                      weight: FloatPointer, rows N: Int, channels C: Int, eps: Float) {
        Parallel.forRanges(N, costPerItem: C * 3) { rows in
            rlhf_rmsnorm_forward(out, rstd, input, weight, C, eps, rows.lowerBound, rows.upperBound)
        }
    }

    /// dInput[N,C] +=, dWeight[C] += from dOut[N,C] with the saved rstd[N]:
    /// dx = rstd·dOut·weight − x·rstd³·mean(dOut·weight·x), dWeight += dOut·x·rstd.
    ///
    /// Rows are split over workers with per-worker dWeight partials, added in worker order at the end.
    static func rmsNormBackward(dInput: FloatPointer, dWeight: FloatPointer, dOut: FloatPointer,
                                       input: FloatPointer, weight: FloatPointer, rstd: FloatPointer,
                                       rows N: Int, channels C: Int) {
        let capacity = max(1, Parallel.threadCount)
        let partials = FloatBuffer(count: capacity * C)  // [workers, C] dWeight per worker
        let workers = Parallel.forRangesIndexed(N, costPerItem: C * 6) { worker, rows in
            precondition(worker < capacity, "Parallel.threadCount changed during rmsNormBackward")
            rlhf_rmsnorm_backward(dInput, partials.pointer + worker * C, dOut, input, weight, rstd, C,
                                  rows.lowerBound, rows.upperBound)
        }
        for w in 0..<workers { addInPlace(dWeight, partials.pointer + w * C, count: C) }
    }
}
