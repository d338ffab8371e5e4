import ArgumentParser
import Datasets
import Tensor

/// The training flags of `rlhf sft`: the examples, their split, the optimizer's schedule and the batch
/// shape (the same names and meanings as `rlhf dpo`'s `PreferenceTrainingOptions`).
struct SupervisedTrainingOptions: ParsableArguments {
    @Option(help: "The examples: JSONL or JSONL.gz, each line {\"prompt\", \"response\"} or {\"messages\": [{\"role\", \"content\"}, ...]} (detected per line).")
    var data: String

    @Option(help: "Held-out share, by line order (the last share of the lines).")
    var evalFraction: Double = 0.1

    @Option(help: "Train on a seeded random subsample of this many examples (default: all).")
    var trainSize: Int?

    @Option(help: "Evaluate on a seeded random subsample of this many held-out examples (default: all).")
    var evalSize: Int?

    @Option(help: "Seed of the batch order and the subsamples.")
    var seed: UInt64 = 0

    @Option(help: "Passes over the training examples.")
    var epochs: Int = 1

    @Option(help: "Peak learning rate (AdamW, weight decay 0.01, 10% linear warm-up, then constant).")
    var lr: Double = 2e-5

    @Option(help: "Examples per optimizer step; a batch groups examples of similar length.")
    var batch: Int = 8

    @Option(help: "Examples whose activations are held at once: a step accumulates its batch's gradient over chunks of this many (the same step, less memory; default: the whole batch).")
    var microBatch: Int?

    @Option(help: "Tokens per sequence at most: the prompt is cut from the left (keeping its end), then the response from the right.")
    var maxLen: Int = 1024

    @Flag(help: "Skip and count malformed data lines instead of stopping at the first.")
    var skipBadLines = false

    /// The paths these options read.
    var inputs: [InputPath] { [InputPath("--data", data)] }

    func validate() throws {
        try TrainingFlagChecks.split(evalFraction: evalFraction, trainSize: trainSize, evalSize: evalSize)
        try TrainingFlagChecks.schedule(epochs: epochs, lr: lr, batch: batch)
        if let n = microBatch, n < 1 || n > 4096 { throw ValidationError("--micro-batch must be between 1 and 4096") }
        guard maxLen >= 2, maxLen <= 1 << 16 else { throw ValidationError("--max-len must be between 2 and 65536") }
    }

    /// Examples held in memory at once: `--micro-batch`, else the whole batch.
    var chunk: Int { min(microBatch ?? batch, batch) }

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
