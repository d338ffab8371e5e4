import ArgumentParser
import Datasets
import Trainers

/// The data flags `rlhf reward train` and `rlhf reward eval` share: the file, its format, the split and
/// the subsamples, the length limit (the split's members read through this: `options.data`).
@dynamicMemberLookup
struct RewardDataOptions: ParsableArguments {
    @OptionGroup var dataSplit: DataSplitOptions<RewardFlags>

    @Option(help: "Its format: hh, dexperts, pairs (Bradley-Terry on pairs) or imdb (binary cross-entropy on labelled reviews).")
    var format: RewardDataFormat = .pairs

    @Option(help: "Held-out data from another file of the same format, instead of a split of --data.")
    var evalData: String?

    subscript<Value>(dynamicMember member: KeyPath<DataSplitOptions<RewardFlags>, Value>) -> Value { dataSplit[keyPath: member] }

    /// The paths these options read.
    var inputs: [InputPath] { dataSplit.inputs + (evalData.map { [InputPath("--eval-data", $0)] } ?? []) }

    func validate() throws {
        if format == .imdb, let n = self.trainSize, n < 2 { throw ValidationError("--train-size must be at least 2 to balance the labels") }
    }

    /// The training and held-out texts, split and subsampled as the flags say; `wholeFile` keeps every
    /// example of --data (or of --eval-data) as held-out.
    func split(wholeFile: Bool = false) throws -> (train: RewardTexts, eval: RewardTexts, skipped: Int) {
        var skipped = 0
        func read(_ path: String) throws -> RewardTexts {
            if let pairFormat = format.preferenceFormat {
                let (pairs, bad) = try PreferenceData.read(path: path, format: pairFormat, skipBadLines: self.skipBadLines)
                skipped += bad
                return .pairs(pairs)
            }
            let reviews = try IMDbReviews.load(path: path, skipBadLines: self.skipBadLines)
            return .labelled(reviews.map { LabelledText(text: $0.text, label: $0.label) })
        }
        let all = try read(self.data)
        var train: RewardTexts, eval: RewardTexts
        if let evalData {
            (train, eval) = (all, try read(evalData))
            if wholeFile { train = all.emptied }
        } else if wholeFile {
            (train, eval) = (all.emptied, all)
        } else {
            (train, eval) = all.split(evalFraction: self.evalFraction, byGroup: format == .dexperts, seed: self.seed)
        }
        if let n = self.trainSize { train = train.sample(n, seed: self.seed) }
        if let n = self.evalSize { eval = eval.sample(n, seed: self.seed &+ 1) }
        return (train, eval, skipped)
    }
}
