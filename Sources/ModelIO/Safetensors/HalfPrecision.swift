/// Conversions between `Float` and the two 16-bit float formats of checkpoints, on raw bit patterns.
///
/// Decoding is exact. Encoding rounds to nearest, ties to even (what PyTorch's `.half()` and
/// `.bfloat16()` do); values past the largest finite half overflow to infinity; NaN stays NaN.
package enum HalfPrecision {
    /// The `Float` whose IEEE binary16 bit pattern is `bits` (exact, subnormals included).
    @inline(__always)
    package static func float(fromHalfBits bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponentAndMantissa = UInt32(bits & 0x7fff)
        let shifted = exponentAndMantissa << 13
        // Re-biasing by a multiply by 2^112 turns both normal and subnormal halves into the exact float.
        let finite = Float(bitPattern: shifted) * 0x1p112
        let magnitude = exponentAndMantissa >= 0x7c00 ? Float(bitPattern: shifted | 0x7f80_0000) : finite
        return Float(bitPattern: magnitude.bitPattern | sign)
    }

    /// The `Float` whose upper 16 bits are `bits` (bfloat16; exact).
    @inline(__always)
    package static func float(fromBFloat16Bits bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// The IEEE binary16 bit pattern nearest to `value` (ties to even).
    package static func halfBits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: (bits >> 16) & 0x8000)
        let magnitude = bits & 0x7fff_ffff
        if magnitude > 0x7f80_0000 { return sign | 0x7e00 }          // NaN
        if magnitude >= 0x477f_f000 { return sign | 0x7c00 }         // >= 65520 (and inf) rounds to inf
        if magnitude >= 0x3880_0000 {                                // normal half: |value| >= 2^-14
            let rebiased = magnitude - (112 << 23)
            let rounded = (rebiased + 0x0fff + ((rebiased >> 13) & 1)) >> 13
            return sign | UInt16(truncatingIfNeeded: rounded)
        }
        // Subnormal half (or zero): count units of 2^-24, rounded to nearest even.
        let units = (Float(bitPattern: magnitude) * 0x1p24).rounded(.toNearestOrEven)
        return sign | UInt16(units)
    }

    /// The bfloat16 bit pattern nearest to `value` (ties to even).
    package static func bfloat16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        if bits & 0x7fff_ffff > 0x7f80_0000 { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }  // NaN stays quiet NaN
        let rounded = bits &+ 0x7fff &+ ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: rounded >> 16)
    }

    /// Decodes `count` little-endian binary16 values at `source` (any alignment) into `destination`.
    static func decodeHalves(_ source: UnsafeRawPointer, into destination: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            destination[i] = float(fromHalfBits: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
        }
    }

    /// Decodes `count` little-endian bfloat16 values at `source` (any alignment) into `destination`.
    static func decodeBFloat16s(_ source: UnsafeRawPointer, into destination: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            destination[i] = float(fromBFloat16Bits: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
        }
    }
}
