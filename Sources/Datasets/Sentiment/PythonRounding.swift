/// Python's `round(x, digits)` for floats: the double nearest to the decimal that is `x` correctly rounded to
/// `digits` places, an exact tie going to the even last digit (CPython rounds through `_Py_dg_dtoa`).
///
/// Rounding `x * 10^digits` in floating point would misplace values within an ulp of a tie, so the tie test is
/// done on the exact binary value in 128-bit integer arithmetic.
enum PythonRounding {
    private static let powersOfTen: [UInt64] = (0...9).map { k in (0..<k).reduce(1) { r, _ in r * 10 } }

    /// `round(x, digits)` for `digits` in 0...9 and `|x| * 10^digits < 2^53` (VADER's scores lie in [-1, 1]).
    static func round(_ x: Double, digits: Int) -> Double {
        precondition((0...9).contains(digits), "PythonRounding.round: digits \(digits) outside 0...9")
        guard x.isFinite, x != 0 else { return x }
        let scale = powersOfTen[digits]
        let magnitude = x.magnitude
        precondition(magnitude * Double(scale) < 0x1p53, "PythonRounding.round: \(x) too large for \(digits) digits")
        // magnitude = m * 2^q exactly
        let m = magnitude.significandBitPattern | (magnitude.isNormal ? 1 << 52 : 0)
        let q = magnitude.isNormal ? Int(magnitude.exponentBitPattern) - 1075 : -1074
        if q >= 0 { return x }
        let shift = -q
        // p = m * scale, a 117-bit product; units = floor(p / 2^shift), compared with the remainder's half
        let (high, low) = m.multipliedFullWidth(by: scale)
        let units: UInt64
        let roundUp: Bool
        if shift >= 128 {
            units = 0
            roundUp = false  // p < 2^117 < 2^(shift - 1)
        } else {
            units = shift >= 64 ? high >> (shift - 64) : (high << (64 - shift)) | (low >> shift)
            // the remainder's bits below the shift, against 2^(shift - 1)
            let halfBit = shift - 1
            let (remHigh, remLow): (UInt64, UInt64) = shift > 64
                ? (high & ((1 << (shift - 64)) - 1), low)
                : (0, shift == 64 ? low : low & ((1 << shift) - 1))
            let (halfHigh, halfLow): (UInt64, UInt64) = halfBit >= 64 ? (1 << (halfBit - 64), 0) : (0, 1 << halfBit)
            if (remHigh, remLow) == (halfHigh, halfLow) {
                roundUp = units & 1 == 1
            } else {
                roundUp = remHigh > halfHigh || (remHigh == halfHigh && remLow > halfLow)
            }
        }
        let rounded = Double(units + (roundUp ? 1 : 0)) / Double(scale)
        return x < 0 ? -rounded : rounded
    }
}
