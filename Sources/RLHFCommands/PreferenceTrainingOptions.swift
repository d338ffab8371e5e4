import ArgumentParser
import Datasets

/// The training flags `rlhf dpo` shares with the other trainers on preference data: the data, its
/// split, the optimizer's schedule and the batch shape.
struct PreferenceTrainingOptions: ParsableArguments {
    @Option(help: "The pairs: JSONL or JSONL.gz.")
    var data: String

    @Option(help: "Their format: \(PreferenceFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: PreferenceFormat = .pairs

    @Option(help: "Held-out share: hh and pairs by line order (the last share), dexperts by prompt id.")
    var evalFraction: Double = 0.1

    @Option(help: "Train on a seeded random subsample of this many pairs (default: all).")
    var trainSize: Int?

    @Option(help: "Evaluate on a seeded random subsample of this many held-out pairs (default: all).")
    var evalSize: Int?

    @Option(help: "Seed of the shuffling and the subsamples.")
    var seed: UInt64 = 0

    @Option(help: "Passes over the training pairs.")
    var epochs: Int = 1

    @Option(help: "Peak learning rate (AdamW, weight decay 0.01, 10% linear warm-up, then constant).")
    var lr: Double = 5e-6

    @Option(help: "Pairs per optimizer step.")
    var batch: Int = 8

    @Option(help: "Tokens per sequence at most: the prompt is cut from the left (keeping its end), then the response from the right.")
    var maxLen: Int = 512

    @Flag(help: "Skip and count malformed data lines instead of stopping at the first.")
    var skipBadLines = false

    /// The paths these options read.
    var inputs: [InputPath] { [InputPath("--data", data)] }

    func validate() throws {
        try TrainingFlagChecks.split(evalFraction: evalFraction, trainSize: trainSize, evalSize: evalSize)
        try TrainingFlagChecks.schedule(epochs: epochs, lr: lr, batch: batch)
        guard maxLen >= 2, maxLen <= 1 << 16 else { throw ValidationError("--max-len must be between 2 and 65536") }
    }

    /// The training and held-out pairs, split and subsampled as the flags say.
    func split() throws -> (train: [PreferencePair], eval: [PreferencePair], skipped: Int) {
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
