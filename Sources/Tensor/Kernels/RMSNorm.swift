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
    /// Rows are cut into fixed blocks (`Parallel.rowBlocks`) with a dWeight partial per block, added in
    /// block order at the end: the same bits for any thread count.
    static func rmsNormBackward(dInput: FloatPointer, dWeight: FloatPointer, dOut: FloatPointer,
                                       input: FloatPointer, weight: FloatPointer, rstd: FloatPointer,
                                       rows N: Int, channels C: Int) {
        let blocks = Parallel.rowBlocks(N)
        let partials = FloatBuffer(count: blocks.blockCount * C)  // [blocks, C] dWeight per block
        Parallel.forBlocks(blocks, costPerItem: C * 6) { block, rows in
            rlhf_rmsnorm_backward(dInput, partials.pointer + block * C, dOut, input, weight, rstd, C,
                                  rows.lowerBound, rows.upperBound)
        }
        addBlockPartials(dWeight, partials.pointer, blocks: blocks.blockCount, stride: C, count: C)
    }
}
