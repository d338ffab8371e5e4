import CKernels

extension CPUKernels {
    /// out[N,OC] = input[N,C] · weight[OC,C]ᵀ (+ bias[OC]), one `sgemm`.
    static func matmulForward(out: FloatPointer, input: FloatPointer, weight: FloatPointer,
                                     bias: FloatPointer?, rows N: Int, inFeatures C: Int, outFeatures OC: Int) {
        if N <= skinnyRowLimit {
            skinnyMatmulForward(out: out, input: input, weight: weight, bias: bias, rows: N, inFeatures: C, outFeatures: OC)
            return
        }
        var beta: Float = 0
        if let bias {
            // broadcast the bias into out, then accumulate the product onto it
            Parallel.forRanges(N, costPerItem: OC) { range in
                for n in range { (out + n * OC).update(from: bias, count: OC) }
            }
            beta = 1
        }
        BLAS.parallelGemm(transB: true, m: N, n: OC, k: C, a: input, b: weight, beta: beta, c: out)
    }

    /// dInput[N,C] = (or +=) dOut[N,OC] · weight[OC,C]; dWeight[OC,C] += dOut[N,OC]ᵀ · input[N,C];
    /// dBias[OC] += Σ_n dOut[n].
    static func matmulBackward(dInput: FloatPointer?, dWeight: FloatPointer?, dBias: FloatPointer?,
                                      dOut: FloatPointer, input: FloatPointer, weight: FloatPointer,
                                      rows N: Int, inFeatures C: Int, outFeatures OC: Int, accumulateInput: Bool) {
        if let dInput {
            BLAS.parallelGemm(m: N, n: C, k: OC, a: dOut, b: weight, beta: accumulateInput ? 1 : 0, c: dInput)
        }
        if let dWeight {
            BLAS.parallelGemm(transA: true, m: OC, n: C, k: N, a: dOut, b: input, beta: 1, c: dWeight)
        }
        if let dBias {
            // each worker owns a block of output columns and walks all rows
            Parallel.forRanges(OC, costPerItem: N) { cols in
                for n in 0..<N { rlhf_add(dBias, dBias, dOut + n * OC, cols.lowerBound, cols.upperBound) }
            }
        }
    }
}
