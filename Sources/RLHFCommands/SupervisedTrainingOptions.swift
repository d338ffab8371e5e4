import ArgumentParser
import Datasets
import Tensor

extension DataSplitOptions where Defaults == SFTFlags {
    /// The training and held-out examples, split by line order and subsampled as the flags say, and the
    /// number of malformed lines skipped.
    func split() throws -> (train: [SupervisedExample], eval: [SupervisedExample], skipped: Int) {
        let (examples, skipped) = try SupervisedData.read(path: data, skipBadLines: skipBadLines)
        let heldOut = min(examples.count, Int((Double(examples.count) * evalFraction).rounded()))
        var train = Array(examples[..<(examples.count - heldOut)]), eval = Array(examples[(examples.count - heldOut)...])
        if let n = trainSize { train = Self.sample(train, count: n, seed: seed) }
        if let n = evalSize { eval = Self.sample(eval, count: n, seed: seed &+ 1) }
        guard !train.isEmpty else { throw CommandInputError.flags("\(data) holds no training examples") }
        return (train, eval, skipped)
    }

    /// A seeded random subsample of `n` of `items` (all when n ≥ count), in the original order, drawn as
    /// `PreferenceSplit.sample` draws pairs.
    static func sample<T>(_ items: [T], count n: Int, seed: UInt64) -> [T] {
        if n >= items.count { return items }
        var random = SplitMix64(seed: seed)
        return random.shuffled(Array(items.indices)).prefix(n).sorted().map { items[$0] }
    }
}
