import CKernels

extension CPUKernels {
    /// max x[i] over one row of `count` values (SIMD; NaNs skipped; −inf for an empty row).
    static func rowMaximum(_ x: UnsafePointer<Float>, count: Int) -> Float { rlhf_row_max(x, count) }

    /// out[i] = exp((x[i] − shift) · scale) for one row of `count` values; returns Σ out[i] in Double
    /// (float partial sums folded into Double every 512 values).
    /// With shift = max(x) and scale = 1/T these are the unnormalised sampling weights at temperature T.
    static func exponentiateShifted(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                                           count: Int, shift: Float, scale: Float) -> Double {
        rlhf_exp_shifted(x, out, count, shift, scale)
    }
}
