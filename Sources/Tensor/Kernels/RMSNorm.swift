extension CPUKernels {
    /// out[N,C] = weight[C] · (x · rstd) per row x = input[n], rstd = 1/sqrt(mean(x²) + eps)
    /// (Hugging Face `LlamaRMSNorm`); saves rstd[N].
    public static func rmsNormForward(out: FloatPointer, rstd: FloatPointer, input: FloatPointer,
                                      weight: FloatPointer, rows N: Int, channels C: Int, eps: Float) {
        Parallel.forRanges(N, costPerItem: C * 3) { rows in
            for n in rows {
                let x = input + n * C  // [C]
                let y = out + n * C    // [C]
                let meanSquare = blockedSum(x, count: C, Square()) / Double(C)
                let rowRstd = Float(1 / (meanSquare + Double(eps)).squareRoot())
                let scale = SIMD8<Float>(repeating: rowRstd)
                var i = 0
                while i + 8 <= C { y.store8(weight.load8(i) * (x.load8(i) * scale), i); i += 8 }
                let lanes = C - i
                if lanes > 0 {
                    y.storePartial(weight.loadPartial(i, count: lanes) * (x.loadPartial(i, count: lanes) * scale), i,
                                   count: lanes)
                }
                rstd[n] = rowRstd
            }
        }
    }

    /// The dx and dWeight increments of 8 channels of one row:
    /// dx = dOut·weight·rstd − x·coefficient with coefficient = rstd³·mean(dOut·weight·x); dWeight = dOut·x·rstd.
    @inline(__always)
    static func rmsNormGradients(x: SIMD8<Float>, d: SIMD8<Float>, w: SIMD8<Float>, rstd: SIMD8<Float>,
                                 coefficient: SIMD8<Float>) -> (input: SIMD8<Float>, weight: SIMD8<Float>) {
        (d * w * rstd - x * coefficient, d * (x * rstd))
    }

    /// dInput[N,C] +=, dWeight[C] += from dOut[N,C] with the saved rstd[N]:
    /// dx = rstd·dOut·weight − x·rstd³·mean(dOut·weight·x), dWeight += dOut·x·rstd.
    ///
    /// Rows are split over workers with per-worker dWeight partials, added in worker order at the end.
    public static func rmsNormBackward(dInput: FloatPointer, dWeight: FloatPointer, dOut: FloatPointer,
                                       input: FloatPointer, weight: FloatPointer, rstd: FloatPointer,
                                       rows N: Int, channels C: Int) {
        let capacity = max(1, Parallel.threadCount)
        let partials = FloatBuffer(count: capacity * C)  // [workers, C] dWeight per worker
        let workers = Parallel.forRangesIndexed(N, costPerItem: C * 6) { worker, rows in
            precondition(worker < capacity, "Parallel.threadCount changed during rmsNormBackward")
            let partialWeight = partials.pointer + worker * C  // [C]
            for n in rows {
                let x = input + n * C, gradient = dOut + n * C, dx = dInput + n * C  // [C] each
                let rowRstd = rstd[n], scale = SIMD8<Float>(repeating: rowRstd)
                // Σ dOut·weight·x (zero-filled tail lanes add 0)
                var dot = SIMD8<Float>()
                var i = 0
                while i < C {
                    let lanes = min(8, C - i)
                    let xi = x.loadLanes(i, count: lanes)
                    let d = gradient.loadLanes(i, count: lanes)
                    let w = weight.loadLanes(i, count: lanes)
                    dot += d * w * xi
                    i += 8
                }
                let coefficient = SIMD8<Float>(repeating: rowRstd * rowRstd * rowRstd * dot.sum() / Float(C))
                i = 0
                while i + 8 <= C {
                    let step = rmsNormGradients(x: x.load8(i), d: gradient.load8(i), w: weight.load8(i), rstd: scale,
                                                coefficient: coefficient)
                    dx.store8(dx.load8(i) + step.input, i)
                    partialWeight.store8(partialWeight.load8(i) + step.weight, i)
                    i += 8
                }
                let lanes = C - i
                if lanes > 0 {
                    let step = rmsNormGradients(x: x.loadPartial(i, count: lanes), d: gradient.loadPartial(i, count: lanes),
                                                w: weight.loadPartial(i, count: lanes), rstd: scale,
                                                coefficient: coefficient)
                    dx.storePartial(dx.loadPartial(i, count: lanes) + step.input, i, count: lanes)
                    partialWeight.storePartial(partialWeight.loadPartial(i, count: lanes) + step.weight, i, count: lanes)
                }
            }
        }
        for w in 0..<workers { addInPlace(dWeight, partials.pointer + w * C, count: C) }
    }
}
