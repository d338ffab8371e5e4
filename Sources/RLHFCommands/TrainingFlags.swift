import ArgumentParser

/// What differs between the trainers' shared flags: their defaults, and the words their help uses.
protocol TrainingFlagDefaults {
    /// What one training item is called in help ("pairs", "examples").
    static var items: String { get }
    /// Help of `--data`.
    static var dataHelp: String { get }
    /// Help of `--eval-fraction`: how the held-out share is taken.
    static var splitHelp: String { get }
    /// Help of `--max-len`: how a long item is cut.
    static var maxLengthHelp: String { get }
    static var evalFraction: Double { get }
    static var learningRate: Double { get }
    static var maxLength: Int { get }
    /// The shortest `--max-len` (room for the special tokens and one text token).
    static var minimumMaxLength: Int { get }
}

/// The data flags every trainer shares (`rlhf sft`, `dpo`, `reward train|eval`): the file, its held-out
/// share, the subsamples, the seed, the length limit, and skipping bad lines; one declaration, with each
/// command's defaults and words from `Defaults`.
struct DataSplitOptions<Defaults: TrainingFlagDefaults>: ParsableArguments {
    @Option(help: ArgumentHelp(Defaults.dataHelp))
    var data: String

    @Option(help: ArgumentHelp(Defaults.splitHelp))
    var evalFraction: Double = Defaults.evalFraction

    @Option(help: ArgumentHelp("Train on a seeded random subsample of this many \(Defaults.items) (default: all)."))
    var trainSize: Int?

    @Option(help: ArgumentHelp("Evaluate on a seeded random subsample of this many held-out \(Defaults.items) (default: all)."))
    var evalSize: Int?

    @Option(help: "Seed of the shuffling and the subsamples.")
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp(Defaults.maxLengthHelp))
    var maxLen: Int = Defaults.maxLength

    @Flag(help: "Skip and count malformed data lines instead of stopping at the first.")
    var skipBadLines = false

    /// The paths these options read.
    var inputs: [InputPath] { [InputPath("--data", data)] }

    func validate() throws {
        guard evalFraction >= 0, evalFraction < 1 else { throw ValidationError("--eval-fraction must be in [0, 1), got \(evalFraction)") }
        if let n = trainSize, n < 1 { throw ValidationError("--train-size must be at least 1") }
        if let n = evalSize, n < 1 { throw ValidationError("--eval-size must be at least 1") }
        guard maxLen >= Defaults.minimumMaxLength, maxLen <= 1 << 16 else {
            throw ValidationError("--max-len must be between \(Defaults.minimumMaxLength) and 65536")
        }
    }
}

/// The optimizer flags every trainer shares: passes, peak learning rate and batch, with each command's
/// defaults and words from `Defaults`.
struct ScheduleOptions<Defaults: TrainingFlagDefaults>: ParsableArguments {
    @Option(help: ArgumentHelp("Passes over the training \(Defaults.items)."))
    var epochs: Int = 1

    @Option(help: "Peak learning rate (AdamW, weight decay 0.01, 10% linear warm-up, then constant).")
    var lr: Double = Defaults.learningRate

    @Option(help: ArgumentHelp("\(Defaults.items.prefix(1).uppercased() + Defaults.items.dropFirst()) per optimizer step."))
    var batch: Int = 8

    func validate() throws {
        guard epochs >= 1, epochs <= 1000 else { throw ValidationError("--epochs must be between 1 and 1000") }
        guard lr > 0, lr.isFinite, lr < 1 else { throw ValidationError("--lr must be positive and below 1, got \(lr)") }
        try Self.checkBatch(batch)
    }

    /// `--batch` in 1...4096.
    static func checkBatch(_ batch: Int) throws {
        guard batch >= 1, batch <= 4096 else { throw ValidationError("--batch must be between 1 and 4096") }
    }
}

/// `rlhf sft`'s defaults.
enum SFTFlags: TrainingFlagDefaults {
    static let items = "examples"
    static let dataHelp = "The examples: JSONL or JSONL.gz, each line {\"prompt\", \"response\"} or {\"messages\": [{\"role\", \"content\"}, ...]} (detected per line)."
    static let splitHelp = "Held-out share, by line order (the last share of the lines)."
    static let maxLengthHelp = "Tokens per sequence at most: the prompt is cut from the left (keeping its end), then the response from the right."
    static let evalFraction = 0.1, learningRate = 2e-5
    static let maxLength = 1024, minimumMaxLength = 2
}

/// `rlhf dpo`'s defaults.
enum DPOFlags: TrainingFlagDefaults {
    static let items = "pairs"
    static let dataHelp = "The pairs: JSONL or JSONL.gz."
    static let splitHelp = "Held-out share: hh and pairs by line order (the last share), dexperts by prompt id."
    static let maxLengthHelp = SFTFlags.maxLengthHelp
    static let evalFraction = 0.1, learningRate = 5e-6
    static let maxLength = 512, minimumMaxLength = 2
}

/// `rlhf reward train|eval`'s defaults.
enum RewardFlags: TrainingFlagDefaults {
    static let items = "pairs (or labelled texts)"
    static let dataHelp = "The data: JSONL or JSONL.gz."
    static let splitHelp = "Held-out share of --data: hh and pairs by line order (the last share), dexperts by prompt id (sorted numerically), imdb by a seeded shuffle."
    static let maxLengthHelp = "Tokens per text at most, special tokens included: longer texts lose their start (the last turn stays)."
    static let evalFraction = 0.2, learningRate = 2e-5
    static let maxLength = 256, minimumMaxLength = 3
}

/// A trainer's data and optimizer flags together (`rlhf sft`, `rlhf dpo`), read through one name
/// (`flags.data`, `flags.lr`: the member of whichever group has it).
@dynamicMemberLookup
struct TrainerFlags<Defaults: TrainingFlagDefaults>: ParsableArguments {
    @OptionGroup var dataSplit: DataSplitOptions<Defaults>
    @OptionGroup var schedule: ScheduleOptions<Defaults>

    subscript<Value>(dynamicMember member: KeyPath<DataSplitOptions<Defaults>, Value>) -> Value { dataSplit[keyPath: member] }
    subscript<Value>(dynamicMember member: KeyPath<ScheduleOptions<Defaults>, Value>) -> Value { schedule[keyPath: member] }
}
