import Tensor

/// The project's seeded generator, so every run draws the same numbers.
package typealias SeededGenerator = SplitMix64

extension SplitMix64 {
    /// `count` floats uniform in `range`.
    package mutating func floats(_ count: Int, in range: ClosedRange<Float> = -1...1) -> [Float] {
        (0..<count).map { _ in Float.random(in: range, using: &self) }
    }

    /// `count` token ids uniform in 0..<upper.
    package mutating func ids(_ count: Int, below upper: Int) -> [Int32] {
        (0..<count).map { _ in Int32.random(in: 0..<Int32(upper), using: &self) }
    }
}

extension Array where Element == Float {
    /// The elements widened to Double.
    package var doubles: [Double] { map(Double.init) }
}

/// Σ a[i]·b[i] in Double.
package func dot(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
}
