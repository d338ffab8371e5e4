import ArgumentParser

/// `--seq` of the step benchmarks (train, forward, dpo): tokens per sequence.
struct BenchSequenceOptions: ParsableArguments {
    @Option(help: "Tokens per sequence (dpo: half prompt, half completion).")
    var seq: Int = 128

    /// Refuses a length under 2 or one the model cannot take for `rows` rows.
    func check(rows: Int, _ options: BenchOptions) throws {
        guard seq >= 2 else { throw ValidationError("--seq must be at least 2") }
        try options.requireFits(rows: rows, length: seq, what: "--seq \(seq)")
    }
}

/// `--prompt-len` and `--new-tokens` of the sampling benchmarks (generate, ppo).
struct BenchSamplingLengthOptions: ParsableArguments {
    @Option(help: "Prompt tokens per sequence.")
    var promptLen: Int = 16

    @Option(help: "New tokens sampled per sequence (exactly this many, top-k 0, top-p 1).")
    var newTokens: Int = 48

    /// Refuses lengths under 1, or a prompt and response the model cannot take for `--batch` rows.
    func check(_ options: BenchOptions) throws {
        guard promptLen >= 1, newTokens >= 1 else { throw ValidationError("--prompt-len and --new-tokens must be >= 1") }
        let (length, overflow) = promptLen.addingReportingOverflow(newTokens)
        guard !overflow else { throw ValidationError("--prompt-len \(promptLen) plus --new-tokens \(newTokens) overflow") }
        try options.requireFits(rows: options.batch, length: length, what: "--prompt-len \(promptLen) plus --new-tokens \(newTokens)")
    }
}
