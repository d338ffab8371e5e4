import Tensor

/// The coin that decides a tied pair, where the notebook calls `random.randint(0, 1)`: seeded, and drawn
/// from a stream of (seed, pair index) alone, so a pair's verdict never depends on the others or on batching.
public struct PairTieBreak: Sendable, Equatable {
    /// The run seed.
    public var seed: UInt64

    /// A coin for run `seed`.
    public init(seed: UInt64) { self.seed = seed }

    /// Whether the tied pair at `index` (0-based, in prompt order) goes to response A.
    public func prefersA(index: Int) -> Bool {
        var draw = SplitMix64(seed: seed &+ 0xD1B5_4A32_D192_ED03 &* UInt64(index + 1))
        return draw.next() & 1 == 0
    }
}
