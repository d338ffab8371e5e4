import ArgumentParser
import Datasets

extension DataSplitOptions where Defaults == DPOFlags {
    /// The training and held-out pairs, split and subsampled as the flags say.
    func split(format: PreferenceFormat) throws -> (train: [PreferencePair], eval: [PreferencePair], skipped: Int) {
        let (pairs, skipped) = try PreferenceData.read(path: data, format: format, skipBadLines: skipBadLines)
        var (train, eval) = format == .dexperts ? PreferenceSplit.byGroup(pairs, evalFraction: evalFraction)
                                                : PreferenceSplit.byOrder(pairs, evalFraction: evalFraction)
        if let n = trainSize { train = PreferenceSplit.sample(train, count: n, seed: seed) }
        if let n = evalSize { eval = PreferenceSplit.sample(eval, count: n, seed: seed &+ 1) }
        guard !train.isEmpty else { throw CommandInputError.flags("\(data) holds no training pairs") }
        return (train, eval, skipped)
    }
}

extension PreferenceFormat: ExpressibleByArgument {}
