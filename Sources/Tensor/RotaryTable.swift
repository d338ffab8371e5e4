import Foundation

/// Precomputed rotary-embedding angles: cos/sin[P, D/2] for positions 0..<P with
/// inverse frequency base^(-2i/D) (Hugging Face "default" RoPE).
public final class RotaryTable: @unchecked Sendable {
    /// Head dimension D.
    public let headDim: Int
    /// Number of positions P covered.
    public let maxPositions: Int
    /// cos[P, D/2]
    public let cos: FloatBuffer
    /// sin[P, D/2]
    public let sin: FloatBuffer

    /// Builds the table. Angles are computed in double precision, then rounded, as `transformers`
    /// computes `inv_freq` in float32 and the product in float32: we follow that order to match it.
    public init(headDim: Int, base: Float, maxPositions: Int) {
        self.headDim = headDim
        self.maxPositions = maxPositions
        let half = headDim / 2
        cos = FloatBuffer(count: maxPositions * half)
        sin = FloatBuffer(count: maxPositions * half)
        for i in 0..<half {
            // inv_freq = 1 / base^(arange(0, D, 2) / D), in float32 as transformers does
            let exponent = Float(2 * i) / Float(headDim)
            let invFreq: Float = 1 / Float(Foundation.pow(Double(base), Double(exponent)))
            for p in 0..<maxPositions {
                let angle = Float(p) * invFreq
                cos.pointer[p * half + i] = Foundation.cos(angle)
                sin.pointer[p * half + i] = Foundation.sin(angle)
            }
        }
    }
}
