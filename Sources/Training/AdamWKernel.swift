import Tensor

/// The per-step scalars of one AdamW update, computed once in Double and rounded to Float
/// (as PyTorch computes them in Python before its fp32 kernels).
struct AdamWStepScalars {
    /// 1 − lr·λ for decayed floats (1 for the others).
    var decayFactor: Float
    /// 1 − β1: the lerp weight of the first moment.
    var oneMinusBeta1: Float
    /// β2.
    var beta2: Float
    /// 1 − β2.
    var oneMinusBeta2: Float
    /// −lr / (1 − β1^t).
    var negativeStepSize: Float
    /// √(1 − β2^t).
    var biasCorrection2Sqrt: Float
    /// eps.
    var epsilon: Float

    /// The scalars of step `t` (1-based) at learning rate `lr`.
    init(t: Int, lr: Double, config: AdamWConfig, decays: Bool) {
        let biasCorrection1 = 1 - pow(config.beta1, Double(t))
        let biasCorrection2 = 1 - pow(config.beta2, Double(t))
        decayFactor = decays ? Float(1 - lr * config.weightDecay) : 1
        oneMinusBeta1 = Float(1 - config.beta1)
        beta2 = Float(config.beta2)
        oneMinusBeta2 = Float(1 - config.beta2)
        negativeStepSize = Float(-(lr / biasCorrection1))
        biasCorrection2Sqrt = Float(biasCorrection2.squareRoot())
        epsilon = Float(config.epsilon)
    }
}

/// The AdamW element update over one contiguous range of the flat buffers, in PyTorch's fp32 operation order:
///
///     p ← p · (1 − lr·λ)
///     m ← m + (1 − β1)·(g − m)                      (torch `lerp_`, = β1·m + (1 − β1)·g)
///     v ← v·β2 + (1 − β2)·g·g
///     p ← p + (−lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + eps)
///
/// p, g, m, v: [count] with the same layout; only `range` is touched. SIMD8 body, scalar tail doing the
/// same operations (Swift does not contract to FMA, so both give the same bits).
enum AdamWKernel {
    @inline(__always)
    static func update(_ range: Range<Int>, p: FloatPointer, g: FloatPointer, m: FloatPointer, v: FloatPointer,
                       _ s: AdamWStepScalars) {
        typealias F8 = SIMD8<Float>
        let decay = F8(repeating: s.decayFactor), w1 = F8(repeating: s.oneMinusBeta1)
        let b2 = F8(repeating: s.beta2), w2 = F8(repeating: s.oneMinusBeta2)
        let step = F8(repeating: s.negativeStepSize), bc2 = F8(repeating: s.biasCorrection2Sqrt)
        let eps = F8(repeating: s.epsilon)
        var i = range.lowerBound
        let end = range.upperBound
        while i + 8 <= end {
            let gi = UnsafeRawPointer(g + i).loadUnaligned(as: F8.self)
            var pi = UnsafeRawPointer(p + i).loadUnaligned(as: F8.self)
            var mi = UnsafeRawPointer(m + i).loadUnaligned(as: F8.self)
            var vi = UnsafeRawPointer(v + i).loadUnaligned(as: F8.self)
            pi = pi * decay
            mi = mi + w1 * (gi - mi)
            vi = vi * b2 + w2 * gi * gi
            let denominator = squareRoot(ofNonNegative: vi) / bc2 + eps
            pi = pi + step * (mi / denominator)
            UnsafeMutableRawPointer(p + i).storeBytes(of: pi, as: F8.self)
            UnsafeMutableRawPointer(m + i).storeBytes(of: mi, as: F8.self)
            UnsafeMutableRawPointer(v + i).storeBytes(of: vi, as: F8.self)
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

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
