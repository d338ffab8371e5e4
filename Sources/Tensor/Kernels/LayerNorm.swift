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
    /// Rows are cut into fixed blocks (`Parallel.rowBlocks`, set by N alone); each block sums its
    /// dWeight/dBias rows into its own partials, which are added in block order at the end, so the
    /// gradients have the same bits for any thread count.
    static func layerNormBackward(dInput: FloatPointer, dWeight: FloatPointer, dBias: FloatPointer,
                                         dOut: FloatPointer, input: FloatPointer, weight: FloatPointer,
                                         mean: FloatPointer, rstd: FloatPointer, rows N: Int, channels C: Int) {
        let blocks = Parallel.rowBlocks(N)
        let partials = FloatBuffer(count: blocks.blockCount * 2 * C)  // [blocks, 2, C]: dWeight | dBias per block
        Parallel.forBlocks(blocks, costPerItem: C * 8) { block, rows in
            let partialWeight = partials.pointer + block * 2 * C  // [C]
            rlhf_layernorm_backward(dInput, partialWeight, partialWeight + C, dOut, input, weight, mean, rstd, C,
                                    rows.lowerBound, rows.upperBound)
        }
        addBlockPartials(dWeight, partials.pointer, blocks: blocks.blockCount, stride: 2 * C, count: C)
        addBlockPartials(dBias, partials.pointer + C, blocks: blocks.blockCount, stride: 2 * C, count: C)
    }
}
