/// Vectorised single-precision `exp`, `tanh` and `sigmoid` for the CPU kernels (Cephes-style).
///
/// `exp` writes x = n·ln2 + r with |r| ≤ ln2/2, evaluates Cephes' degree-5 polynomial for e^r with FMAs
/// (relative error below 1e-7) and scales by 2^n through the exponent bits.
/// Edge cases: results below the smallest normal float (x < -87.33654) are flushed to 0, so very
/// negative inputs (down to -inf) give 0, never NaN or slow denormals; x > 88.37626 gives +inf (a little
/// early: e^x stays below FLT_MAX up to 88.72284, but 2^n must stay a normal float); NaN stays NaN.
/// The scalar forms run the vector code on one lane, so they agree bit for bit.
///
/// Codegen note: Swift vectorises SIMD comparisons only in some shapes (a scalar `SIMD8(repeating:)`
/// built inline in a comparison fell back to a lane-by-lane loop, 30× slower). Constants used in
/// comparisons are therefore bound to `let`s first; check the assembly after editing.
enum FastMath {
    /// ln(FLT_MIN): below it e^x is not a normal float and is flushed to 0.
    @usableFromInline static let expLowest: Float = -87.33654
    /// 127·ln2 rounded so that n = round(x/ln2) ≤ 127: above it e^x is reported as +inf.
    @usableFromInline static let expHighest: Float = 88.37626

    /// e^x for 8 lanes.
    @inlinable @inline(__always)
    static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let lowest = SIMD8<Float>(repeating: expLowest), highest = SIMD8<Float>(repeating: expHighest)
        // n = round(x / ln2): adding 1.5·2^23 rounds to an integer kept in the low mantissa bits
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let shifted = magic.addingProduct(x, SIMD8(repeating: 1.442_695_040_888_963_4))
        let n = shifted - magic
        // r = x − n·ln2, with ln2 split in an exact high part and a small low part (Cephes C1, C2)
        var r = x.addingProduct(n, SIMD8(repeating: -0.693_359_375))
        r = r.addingProduct(n, SIMD8(repeating: 2.121_944_4e-4))
        var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
        p = SIMD8(repeating: 1.398_199_950_7e-3).addingProduct(p, r)
        p = SIMD8(repeating: 8.333_451_907_3e-3).addingProduct(p, r)
        p = SIMD8(repeating: 4.166_579_589_4e-2).addingProduct(p, r)
        p = SIMD8(repeating: 1.666_666_545_9e-1).addingProduct(p, r)
        p = SIMD8(repeating: 5.000_000_120_1e-1).addingProduct(p, r)
        let y = r.addingProduct(p, r * r) + 1
        // 2^n: the low bits of `shifted` hold n + 0x40_0000; move n + 127 into the exponent field
        let exponent = (unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- (0x4B40_0000 - 127)) &<< 23
        var result = y * unsafeBitCast(exponent, to: SIMD8<Float>.self)
        // out-of-range lanes computed garbage above; NaN lanes already carry NaN through the arithmetic
        result.replace(with: 0, where: x .< lowest)
        result.replace(with: .infinity, where: x .> highest)
        return result
    }

    /// tanh(x) for 8 lanes: Cephes' odd polynomial for |x| < 0.625, else sign(x)·(1 − 2/(e^{2|x|} + 1)).
    @inlinable @inline(__always)
    static func tanh(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let zero = SIMD8<Float>(), threshold = SIMD8<Float>(repeating: 0.625)
        let negative = x .< zero
        let magnitude = x.replacing(with: -x, where: negative)
        let large = 1 - 2 / (exp(magnitude + magnitude) + 1)
        let z = x * x
        var p = SIMD8<Float>(repeating: -5.704_988_727_45e-3)
        p = SIMD8(repeating: 2.063_908_879_54e-2).addingProduct(p, z)
        p = SIMD8(repeating: -5.373_971_555_31e-2).addingProduct(p, z)
        p = SIMD8(repeating: 1.333_144_220_36e-1).addingProduct(p, z)
        p = SIMD8(repeating: -3.333_328_194_22e-1).addingProduct(p, z)
        var result = x.addingProduct(p * z, x)
        result.replace(with: large.replacing(with: -large, where: negative), where: magnitude .>= threshold)
        return result
    }

    /// The logistic function 1 / (1 + e^(−x)) for 8 lanes (0 for very negative x, 1 for very positive).
    @inlinable @inline(__always)
    static func sigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> {
        1 / (1 + exp(-x))
    }

    /// e^x (the vector code on one lane).
    @inlinable
    static func exp(_ x: Float) -> Float { exp(SIMD8(repeating: x))[0] }

    /// tanh(x) (the vector code on one lane).
    @inlinable
    static func tanh(_ x: Float) -> Float { tanh(SIMD8(repeating: x))[0] }

    /// 1 / (1 + e^(−x)) (the vector code on one lane).
    @inlinable
    static func sigmoid(_ x: Float) -> Float { sigmoid(SIMD8(repeating: x))[0] }
}
