import SeededRandom

/// The draws the cases make, written out on `SplitMix64`'s own bits (not the standard library's
/// `random(in:using:)`), so a seed gives the same shapes and values on every Swift version.
extension SplitMix64 {
    /// An integer uniform in `range`.
    package mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    /// A float uniform in `range`.
    package mutating func float(in range: ClosedRange<Float>) -> Float {
        range.lowerBound + (range.upperBound - range.lowerBound) * nextUnitFloat()
    }

    /// `count` floats uniform in `range`.
    package mutating func floats(_ count: Int, in range: ClosedRange<Float> = -1...1) -> [Float] {
        (0..<count).map { _ in float(in: range) }
    }

    /// `count` ids uniform in 0..<upper.
    package mutating func ids(_ count: Int, below upper: Int) -> [Int32] {
        (0..<count).map { _ in Int32(int(in: 0...(upper - 1))) }
    }

    /// `count` targets in 0..<upper, about one in `ignoredEvery` of them −1 (an ignored row), the first
    /// one always kept.
    package mutating func targets(_ count: Int, below upper: Int, ignoredEvery: Int = 4) -> [Int32] {
        (0..<count).map { n in n > 0 && int(in: 1...ignoredEvery) == 1 ? -1 : Int32(int(in: 0...(upper - 1))) }
    }

    /// True with probability 1/2.
    package mutating func coin() -> Bool { next() & 1 == 1 }
}

/// Stable 64-bit FNV-1a of a string (Swift's `Hasher` is seeded per process), to give each case a
/// generator of its own that does not depend on which other cases run.
package func stableHash(_ text: String) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    return h
}
