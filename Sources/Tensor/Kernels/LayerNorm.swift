extension CPUKernels {
    /// out[N,C] = (x − mean)·rstd·weight[C] + bias[C] per row x = input[n], with the biased variance and
    /// rstd = 1/sqrt(var + eps); saves mean[N] and rstd[N] for the backward pass.
    public static func layerNormForward(out: FloatPointer, mean: FloatPointer, rstd: FloatPointer,
                                        input: FloatPointer, weight: FloatPointer, bias: FloatPointer,
                                        rows N: Int, channels C: Int, eps: Float) {
        Parallel.forRanges(N, costPerItem: C * 4) { rows in
            for n in rows {
                let x = input + n * C   // [C]
                let y = out + n * C     // [C]
                let rowMean = Float(blockedSum(x, count: C, Identity()) / Double(C))
                let centre = SIMD8<Float>(repeating: rowMean)
                let variance = blockedSum(x, count: C, SquaredDeviation(centre: centre)) / Double(C)
                let rowRstd = Float(1 / (variance + Double(eps)).squareRoot())
                let scale = SIMD8<Float>(repeating: rowRstd)
                var i = 0
                while i + 8 <= C {
                    y.store8((x.load8(i) - centre) * scale * weight.load8(i) + bias.load8(i), i)
                    i += 8
                }
                let lanes = C - i
                if lanes > 0 {
                    let xhat = (x.loadPartial(i, count: lanes) - centre) * scale
                    y.storePartial(xhat * weight.loadPartial(i, count: lanes) + bias.loadPartial(i, count: lanes), i,
                                   count: lanes)
                }
                mean[n] = rowMean
                rstd[n] = rowRstd
            }
        }
    }

    /// The gradient contributions of 8 channels of one row: dx, dWeight and dBias increments, with
    /// x̂ = (x − mean)·rstd, g = dOut·weight and dx = rstd·(g − mean(g) − x̂·mean(g·x̂)).
    @inline(__always)
    static func layerNormGradients(x: SIMD8<Float>, d: SIMD8<Float>, w: SIMD8<Float>, centre: SIMD8<Float>,
                                   rstd: SIMD8<Float>, meanG: SIMD8<Float>, meanGXhat: SIMD8<Float>)
        -> (input: SIMD8<Float>, weight: SIMD8<Float>, bias: SIMD8<Float>) {
        let xhat = (x - centre) * rstd
        return ((d * w - meanG - xhat * meanGXhat) * rstd, d * xhat, d)
    }

    /// dInput[N,C] +=, dWeight[C] +=, dBias[C] += from dOut[N,C], with the saved mean[N] and rstd[N]:
    /// with x̂ = (x − mean)·rstd and g = dOut·weight, dx = rstd·(g − mean(g) − x̂·mean(g·x̂)).
    ///
    /// Rows are split over workers; each sums its dWeight/dBias rows into its own partials, which are
    /// added in worker order at the end.
    public static func layerNormBackward(dInput: FloatPointer, dWeight: FloatPointer, dBias: FloatPointer,
                                         dOut: FloatPointer, input: FloatPointer, weight: FloatPointer,
                                         mean: FloatPointer, rstd: FloatPointer, rows N: Int, channels C: Int) {
        let capacity = max(1, Parallel.threadCount)
        let partials = FloatBuffer(count: capacity * 2 * C)  // [workers, 2, C]: dWeight | dBias per worker
        let workers = Parallel.forRangesIndexed(N, costPerItem: C * 8) { worker, rows in
            precondition(worker < capacity, "Parallel.threadCount changed during layerNormBackward")
            let partialWeight = partials.pointer + worker * 2 * C  // [C]
            let partialBias = partialWeight + C                    // [C]
            for n in rows {
                let x = input + n * C, gradient = dOut + n * C, dx = dInput + n * C  // [C] each
                let centre = SIMD8<Float>(repeating: mean[n]), scale = SIMD8<Float>(repeating: rstd[n])
                // the row sums of g = dOut·weight and g·x̂ (zero-filled tail lanes add 0)
                var sumG = SIMD8<Float>(), sumGXhat = SIMD8<Float>()
                var i = 0
                while i < C {
                    let lanes = min(8, C - i)
                    let xi = x.loadLanes(i, count: lanes)
                    let d = gradient.loadLanes(i, count: lanes)
                    let w = weight.loadLanes(i, count: lanes)
                    let g = d * w
                    sumG += g
                    sumGXhat += g * ((xi - centre) * scale)
                    i += 8
                }
                let meanG = SIMD8<Float>(repeating: sumG.sum() / Float(C))
                let meanGXhat = SIMD8<Float>(repeating: sumGXhat.sum() / Float(C))
                i = 0
                while i + 8 <= C {
                    let step = layerNormGradients(x: x.load8(i), d: gradient.load8(i), w: weight.load8(i), centre: centre,
                                                  rstd: scale, meanG: meanG, meanGXhat: meanGXhat)
                    dx.store8(dx.load8(i) + step.input, i)
                    partialWeight.store8(partialWeight.load8(i) + step.weight, i)
                    partialBias.store8(partialBias.load8(i) + step.bias, i)
                    i += 8
                }
                let lanes = C - i
                if lanes > 0 {
                    let step = layerNormGradients(x: x.loadPartial(i, count: lanes), d: gradient.loadPartial(i, count: lanes),
                                                  w: weight.loadPartial(i, count: lanes), centre: centre, rstd: scale,
                                                  meanG: meanG, meanGXhat: meanGXhat)
                    dx.storePartial(dx.loadPartial(i, count: lanes) + step.input, i, count: lanes)
                    partialWeight.storePartial(partialWeight.loadPartial(i, count: lanes) + step.weight, i, count: lanes)
                    partialBias.storePartial(partialBias.loadPartial(i, count: lanes) + step.bias, i, count: lanes)
                }
            }
        }
        for w in 0..<workers {
            addInPlace(dWeight, partials.pointer + w * 2 * C, count: C)
            addInPlace(dBias, partials.pointer + w * 2 * C + C, count: C)
        }
    }

    /// target[i] += source[i] for i in 0..<count, on the calling thread.
    static func addInPlace(_ target: FloatPointer, _ source: FloatPointer, count: Int) {
        var i = 0
        while i + 8 <= count { target.store8(target.load8(i) + source.load8(i), i); i += 8 }
        while i < count { target[i] += source[i]; i += 1 }
    }
}
