/// A small, fast, seedable generator (SplitMix64) so initialisation is reproducible across runs.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's state: `SplitMix64(seed: state)` continues the sequence exactly (a checkpoint saves it).
    public private(set) var state: UInt64

    /// Starts the sequence at `seed`.
    public init(seed: UInt64) { state = seed }

    /// Next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform float in [0, 1).
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }
}

extension SplitMix64 {
    /// `items` in an order drawn from this stream: a Fisher-Yates shuffle written out, so a seeded order
    /// never depends on the standard library's shuffling algorithm (which a new Swift may change).
    public mutating func shuffled<T>(_ items: [T]) -> [T] {
        var out = items
        if out.count < 2 { return out }
        for i in stride(from: out.count - 1, to: 0, by: -1) { out.swapAt(i, Int(next() % UInt64(i + 1))) }
        return out
    }
}
