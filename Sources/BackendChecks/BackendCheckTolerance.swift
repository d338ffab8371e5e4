/// How far a candidate backend's outputs may stray from the reference's.
///
/// Every float output is measured by `Comparison`'s rule (the relative error of each element against the
/// larger of its reference value and the output's root-mean-square), and each comparison names `products`:
/// the length of the dot products that make each element (0 when the kernel multiplies no two inputs
/// together and sums, such as an element-wise op, a norm or a softmax).
///
/// - `fp32`: 1e-5 everywhere: float32 kernels that only sum in another order, or use another (correctly
///   rounded to a few ulp) `exp`/`tanh`/`erf`, stay near 1e-6 (the CPU kernels on another instruction set,
///   other vector widths and no FMA, stay under 2e-6); a wrong index, a missed term or a dropped accumulate
///   is 1e-3 or more.
/// - `tf32` and `bf16`: the matrix products read their operands rounded to a shorter significand (10 and
///   7 stored bits, unit roundoff u = 2⁻¹¹ and 2⁻⁸) and sum in float32; every other kernel is float32.
///   So outputs with `products` = 0 keep 1e-5, and a product output of length k may be off by
///   u·max(4, √k): one product of two rounded operands is off by up to 2u (4u leaves room for the rounded
///   output and the largest of many elements); the rounding errors of k products are independent, so their
///   sum grows like √k (a loose bound at large k, which also covers partial sums kept at low precision).
/// - Double results (`sumOfSquares`) are summed in Double from float32 values: 1e-9 relative is orders
///   above reordering error (~1e-16·√count) and far below any float32 slip.
/// - Tokens, sampler streams and untouched memory compare exactly in every mode.
public struct BackendCheckTolerance: Sendable, Equatable {
    /// A short name for the report (`fp32`, `tf32`, `bf16`).
    public let name: String
    /// Unit roundoff of the operands of matrix products (nil: products in float32 like the reference).
    package let productRoundoff: Double?

    /// Float32 everywhere: 1e-5 relative.
    public static let fp32 = BackendCheckTolerance(name: "fp32", productRoundoff: nil)
    /// Matrix products on TF32 operands (10 stored significand bits), float32 elsewhere.
    public static let tf32 = BackendCheckTolerance(name: "tf32", productRoundoff: 0x1p-11)
    /// Matrix products on bfloat16 operands (7 stored significand bits), float32 elsewhere.
    public static let bf16 = BackendCheckTolerance(name: "bf16", productRoundoff: 0x1p-8)

    /// The float32 bound: the relative error of kernels that compute in float32 like the reference.
    package static let float32Relative = 1e-5
    /// The bound for a Double result.
    package static let doubleRelative = 1e-9

    /// The bound on `Comparison.floats`' error for an output whose elements are dot products of length
    /// `products` (0: no products).
    package func floatBound(products: Int) -> Double {
        guard let u = productRoundoff, products > 0 else { return Self.float32Relative }
        return max(Self.float32Relative, u * max(4, Double(products).squareRoot()))
    }

    /// The bound on `Comparison.double`'s error (a Double result).
    package var doubleBound: Double { Self.doubleRelative }
}
