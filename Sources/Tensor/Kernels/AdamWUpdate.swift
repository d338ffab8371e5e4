extension CPUKernels {
    /// One AdamW update of every segment of the flat buffers p, g, m, v (each [count], same layout),
    /// segment s stepping with `scalars[s.scalarsIndex]`. Workers take contiguous chunks of the whole
    /// buffer and walk the segments that intersect their chunk.
    public static func adamWStep(parameters p: FloatPointer, gradients g: FloatPointer, firstMoment m: FloatPointer,
                                 secondMoment v: FloatPointer, count: Int, segments: [OptimizerSegment],
                                 scalars: [AdamWScalars]) {
        Parallel.forRanges(count, costPerItem: 8) { chunk in
            var s = segments.firstIndex { $0.range.upperBound > chunk.lowerBound } ?? segments.count
            while s < segments.count, segments[s].range.lowerBound < chunk.upperBound {
                let segment = segments[s]
                let range = max(segment.range.lowerBound, chunk.lowerBound)..<min(segment.range.upperBound, chunk.upperBound)
                if !range.isEmpty { adamWUpdate(range, p: p, g: g, m: m, v: v, scalars[segment.scalarsIndex]) }
                s += 1
            }
        }
    }

    /// The AdamW element update over one contiguous range, in PyTorch's fp32 operation order:
    ///
    ///     p ← p · (1 − lr·λ)
    ///     m ← m + (1 − β1)·(g − m)                      (torch `lerp_`, = β1·m + (1 − β1)·g)
    ///     v ← v·β2 + (1 − β2)·g·g
    ///     p ← p + (−lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + eps)
    ///
    /// SIMD8 body, scalar tail doing the same operations (Swift does not contract to FMA, so both give
    /// the same bits).
    @inline(__always)
    static func adamWUpdate(_ range: Range<Int>, p: FloatPointer, g: FloatPointer, m: FloatPointer, v: FloatPointer,
                            _ s: AdamWScalars) {
        typealias F8 = SIMD8<Float>
        let decay = F8(repeating: s.decayFactor), w1 = F8(repeating: s.oneMinusBeta1)
        let b2 = F8(repeating: s.beta2), w2 = F8(repeating: s.oneMinusBeta2)
        let step = F8(repeating: s.negativeStepSize), bc2 = F8(repeating: s.biasCorrection2Sqrt)
        let eps = F8(repeating: s.epsilon)
        var i = range.lowerBound
        let end = range.upperBound
        while i + 8 <= end {
            let gi = g.load8(i)
            var pi = p.load8(i), mi = m.load8(i), vi = v.load8(i)
            pi = pi * decay
            mi = mi + w1 * (gi - mi)
            vi = vi * b2 + w2 * gi * gi
            let denominator = squareRoot(ofNonNegative: vi) / bc2 + eps
            pi = pi + step * (mi / denominator)
            p.store8(pi, i); m.store8(mi, i); v.store8(vi, i)
            i += 8
        }
        while i < end {
            let gi = g[i]
            var pi = p[i], mi = m[i], vi = v[i]
            pi = pi * s.decayFactor
            mi = mi + s.oneMinusBeta1 * (gi - mi)
            vi = vi * s.beta2 + s.oneMinusBeta2 * gi * gi
            let denominator = vi.magnitude.squareRoot() / s.biasCorrection2Sqrt + s.epsilon
            pi = pi + s.negativeStepSize * (mi / denominator)
            p[i] = pi; m[i] = mi; v[i] = vi
            i += 1
        }
    }

    /// √x for x ≥ 0 (v is a sum of squares), as one `vsqrtps`.
    ///
    /// On Linux `Float.squareRoot()` is libm's `sqrtf` with errno semantics: a `sqrtss` guarded by a branch
    /// to the library for negative inputs, and `SIMD8.squareRoot()` becomes eight of those. Taking the
    /// magnitude first proves the input non-negative, and LLVM then emits one vector square root.
    /// Same bits for every v ≥ 0 (and −0 gives +0, which the `+ eps` that follows cannot tell apart).
    @inline(__always)
    static func squareRoot(ofNonNegative x: SIMD8<Float>) -> SIMD8<Float> {
        var root = SIMD8<Float>()
        for lane in 0..<8 { root[lane] = x[lane].magnitude.squareRoot() }
        return root
    }
}
