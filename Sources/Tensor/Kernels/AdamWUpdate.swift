import CKernels

extension CPUKernels {
    /// One AdamW update of every segment of the flat buffers p, g, m, v (each [count], same layout),
    /// segment s stepping with `scalars[s.scalarsIndex]`. Workers take contiguous chunks of the whole
    /// buffer and walk the segments that intersect their chunk.
    static func adamWStep(parameters p: FloatPointer, gradients g: FloatPointer, firstMoment m: FloatPointer,
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

    /// The AdamW element update over one contiguous range, in PyTorch's fp32 operation order
    /// (`rlhf_adamw_update`, compiled without FMA contraction, so every instruction set gives the same bits):
    ///
    ///     p ← p · (1 − lr·λ)
    ///     m ← m + (1 − β1)·(g − m)                      (torch `lerp_`, = β1·m + (1 − β1)·g)
    ///     v ← v·β2 + (1 − β2)·g·g
    ///     p ← p + (−lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + eps)
    @inline(__always)
    static func adamWUpdate(_ range: Range<Int>, p: FloatPointer, g: FloatPointer, m: FloatPointer, v: FloatPointer,
                            _ s: AdamWScalars) {
        var scalars = rlhf_adamw_scalars(decay_factor: s.decayFactor, one_minus_beta1: s.oneMinusBeta1, beta2: s.beta2,
                                         one_minus_beta2: s.oneMinusBeta2, negative_step_size: s.negativeStepSize,
                                         bias_correction2_sqrt: s.biasCorrection2Sqrt, epsilon: s.epsilon)
        rlhf_adamw_update(p, g, m, v, &scalars, range.lowerBound, range.upperBound)
    }
}
