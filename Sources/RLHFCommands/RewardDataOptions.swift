import ArgumentParser
import Datasets
import Trainers

/// The data flags `rlhf reward train` and `rlhf reward eval` share: the file, its format, the split and
/// the subsamples, the length limit.
struct RewardDataOptions: ParsableArguments {
    @Option(help: "The data: JSONL or JSONL.gz.")
    var data: String

    @Option(help: "Its format: hh, dexperts, pairs (Bradley-Terry on pairs) or imdb (binary cross-entropy on labelled reviews).")
    var format: RewardDataFormat = .pairs

    @Option(help: "Held-out data from another file of the same format, instead of a split of --data.")
    var evalData: String?

    @Option(help: "Held-out share of --data: hh and pairs by line order (the last share), dexperts by prompt id (sorted numerically), imdb by a seeded shuffle.")
    var evalFraction: Double = 0.2

    @Option(help: "Train on a seeded random subsample of this many examples (balanced by label for imdb).")
    var trainSize: Int?

    @Option(help: "Evaluate on a seeded random subsample of this many held-out examples (balanced by label for imdb).")
    var evalSize: Int?

    @Option(help: "Seed of the shuffling, the subsamples and a fresh head.")
    var seed: UInt64 = 0

    @Option(help: "Tokens per text at most, special tokens included: longer texts lose their start (the last turn stays).")
    var maxLen: Int = 256

    @Flag(help: "Skip and count malformed data lines instead of stopping at the first.")
    var skipBadLines = false

    /// The paths these options read.
    var inputs: [InputPath] { [InputPath("--data", data)] + (evalData.map { [InputPath("--eval-data", $0)] } ?? []) }

    func validate() throws {
        try TrainingFlagChecks.split(evalFraction: evalFraction, trainSize: trainSize, evalSize: evalSize)
        guard maxLen >= 3, maxLen <= 1 << 16 else { throw ValidationError("--max-len must be between 3 and 65536") }
        if format == .imdb, let n = trainSize, n < 2 { throw ValidationError("--train-size must be at least 2 to balance the labels") }
    }

    /// The training and held-out texts, split and subsampled as the flags say; `wholeFile` keeps every
    /// example of --data (or of --eval-data) as held-out.
    func split(wholeFile: Bool = false) throws -> (train: RewardTexts, eval: RewardTexts, skipped: Int) {
        var skipped = 0
        func read(_ path: String) throws -> RewardTexts {
            if let pairFormat = format.preferenceFormat {
                let (pairs, bad) = try PreferenceData.read(path: path, format: pairFormat, skipBadLines: skipBadLines)
                skipped += bad
                return .pairs(pairs)
            }
            let reviews = try IMDbReviews.load(path: path, skipBadLines: skipBadLines)
            return .labelled(reviews.map { LabelledText(text: $0.text, label: $0.label) })
        }
        let all = try read(data)
        var train: RewardTexts, eval: RewardTexts
        if let evalData {
            (train, eval) = (all, try read(evalData))
            if wholeFile { train = all.emptied }
        } else if wholeFile {
            (train, eval) = (all.emptied, all)
        } else {
            (train, eval) = all.split(evalFraction: evalFraction, byGroup: format == .dexperts, seed: seed)
        }
        if let n = trainSize { train = train.sample(n, seed: seed) }
        if let n = evalSize { eval = eval.sample(n, seed: seed &+ 1) }
        return (train, eval, skipped)
    }
}
