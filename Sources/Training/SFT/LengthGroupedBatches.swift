import Tensor

/// The batches of every epoch, grouped by length as `transformers`' `LengthGroupedSampler` groups them:
/// the examples are shuffled, cut into mega-batches of `megaBatches` batches, each mega-batch is sorted
/// by length (longest first) and cut into batches, and the batches are shuffled. So a batch holds
/// examples of similar length (little padding), every example is in exactly one batch per epoch, and
/// which examples meet changes from epoch to epoch.
///
/// An epoch's batches are a pure function of the seed, the epoch and the lengths: a resumed run finds
/// step s at `epoch(s / batchesPerEpoch)[s % batchesPerEpoch]` without replaying anything.
package struct LengthGroupedBatches: Sendable, Equatable {
    /// Each example's length in tokens, by index.
    package let lengths: [Int]
    /// Examples per batch (the last batch of a mega-batch may hold fewer).
    package let batchSize: Int
    /// Batches per mega-batch (`transformers` uses 50).
    package let megaBatches: Int
    /// The seed of every epoch's shuffles.
    package let seed: UInt64

    /// A planner for examples of `lengths`.
    package init(lengths: [Int], batchSize: Int, megaBatches: Int = 50, seed: UInt64) throws {
        guard batchSize >= 1 else { throw SFTInputError.size("the batch size", batchSize) }
        guard megaBatches >= 1 else { throw SFTInputError.size("the batches per mega-batch", megaBatches) }
        self.lengths = lengths
        self.batchSize = batchSize
        self.megaBatches = megaBatches
        self.seed = seed
    }

    /// Batches in one epoch: ⌈n / batchSize⌉ (every mega-batch but the last is whole batches).
    package var batchesPerEpoch: Int { (lengths.count + batchSize - 1) / batchSize }

    /// The batches of epoch `epoch` (from 0), each a list of example indices, in the order they are trained.
    package func epoch(_ epoch: Int) -> [[Int]] {
        var mix = SplitMix64(seed: seed ^ (UInt64(truncatingIfNeeded: epoch) &* 0xD6E8_FEB8_6659_FD93))
        var random = SplitMix64(seed: mix.next())
        let order = random.shuffled(Array(lengths.indices))
        let mega = batchSize * megaBatches
        var batches: [[Int]] = []
        batches.reserveCapacity(batchesPerEpoch)
        for start in stride(from: 0, to: order.count, by: mega) {
            // longest first; ties keep the shuffled order, so the sort never depends on the algorithm
            let group = order[start..<min(start + mega, order.count)].enumerated()
                .sorted { a, b in lengths[a.element] != lengths[b.element] ? lengths[a.element] > lengths[b.element] : a.offset < b.offset }
                .map(\.element)
            for first in stride(from: 0, to: group.count, by: batchSize) {
                batches.append(Array(group[first..<min(first + batchSize, group.count)]))
            }
        }
        return random.shuffled(batches)
    }
}
