import ArgumentParser
import Datasets
import Trainers

/// The data flags `rlhf reward train` and `rlhf reward eval` share: the file, its format, the split and
/// the subsamples, the length limit.
struct RewardDataOptions: ParsableArguments {
    @OptionGroup var dataSplit: DataSplitOptions<RewardFlags>

    @Option(help: "Its format: hh, dexperts, pairs (Bradley-Terry on pairs) or imdb (binary cross-entropy on labelled reviews).")
    var format: RewardDataFormat = .pairs

    @Option(help: "Held-out data from another file of the same format, instead of a split of --data.")
    var evalData: String?

    var data: String { dataSplit.data }
    var evalFraction: Double { dataSplit.evalFraction }
    var trainSize: Int? { dataSplit.trainSize }
    var evalSize: Int? { dataSplit.evalSize }
    var seed: UInt64 { dataSplit.seed }
    var maxLen: Int { dataSplit.maxLen }
    var skipBadLines: Bool { dataSplit.skipBadLines }

    /// The paths these options read.
    var inputs: [InputPath] { dataSplit.inputs + (evalData.map { [InputPath("--eval-data", $0)] } ?? []) }

    func validate() throws {
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
