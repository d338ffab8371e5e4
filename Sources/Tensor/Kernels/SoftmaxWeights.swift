extension CPUKernels {
    /// max x[i] over one row of `count` values (SIMD; NaNs skipped; −inf for an empty row).
    public static func rowMaximum(_ x: UnsafePointer<Float>, count: Int) -> Float { rowMax(x, count: count) }

    /// out[i] = exp((x[i] − shift) · scale) for one row of `count` values; returns Σ out[i] in Double.
    /// With shift = max(x) and scale = 1/T these are the unnormalised sampling weights at temperature T.
    public static func exponentiateShifted(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                                           count: Int, shift: Float, scale: Float) -> Double {
        let s = SIMD8<Float>(repeating: shift), k = SIMD8<Float>(repeating: scale)
        var total = 0.0
        var block = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= count {
            let e = FastMath.exp((x.load8(i) - s) * k)
            out.store8(e, i)
            block += e
            i += 8
            // fold into Double every 512 values so a 50k vocabulary sums without float drift
            if i & 511 == 0 { total += Double(block.sum()); block = SIMD8(repeating: 0) }
        }
        total += Double(block.sum())
        while i < count {
            let e = FastMath.exp((x[i] - shift) * scale)
            out[i] = e
            total += Double(e)
            i += 1
        }
        return total
    }
}
