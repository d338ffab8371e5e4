import ArgumentParser
import Benchmarks
import Foundation
import Generation

/// `rlhf bench train`: one training step (forward, loss, backward, AdamW) on `--batch` × `--seq` tokens.
struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: "Time a training step.")

    @OptionGroup var options: BenchOptions
    @OptionGroup var length: BenchSequenceOptions

    @Flag(help: "Also score each batch with a frozen reference model of the same shape, as a PPO step does (it costs its weights and no gradient or optimizer memory).")
    var frozenReference = false

    func validate() throws { try length.check(rows: options.batch, options) }

    func run() throws {
        var settings = options.settings
        settings.seq = length.seq
        settings.frozenReference = frozenReference
        try StepBenchmarkReport.run(.train, settings, options)
    }
}

/// `rlhf bench forward`: forward scoring of `--batch` × `--seq` tokens.
struct BenchForwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "forward", abstract: "Time forward scoring.")

    @OptionGroup var options: BenchOptions
    @OptionGroup var length: BenchSequenceOptions

    func validate() throws { try length.check(rows: options.batch, options) }

    func run() throws {
        var settings = options.settings
        settings.seq = length.seq
        try StepBenchmarkReport.run(.forward, settings, options)
    }
}

/// `rlhf bench generate`: sampling exactly `--new-tokens` tokens after `--prompt-len`-token prompts with a KV cache.
struct BenchGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Time generation with a KV cache.")

    @OptionGroup var options: BenchOptions
    @OptionGroup var lengths: BenchSamplingLengthOptions

    @Option(help: """
        When to multiply by a packed snapshot of the weights, re-packed in every run: auto (batches above 16), \
        always, never.
        """)
    var weightPacking: WeightPackingChoice = .auto

    func validate() throws { try lengths.check(options) }

    func run() throws {
        var settings = options.settings
        settings.promptLen = lengths.promptLen
        settings.newTokens = lengths.newTokens
        settings.weightPacking = weightPacking.policy
        try StepBenchmarkReport.run(.generate, settings, options)
    }
}

/// `rlhf bench dpo`: one DPO step on `--batch` pairs of `--seq`/2 prompt and `--seq`/2 completion tokens.
struct BenchDPOCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dpo", abstract: "Time one DPO step (reference log-probs, both responses, AdamW).")

    @OptionGroup var options: BenchOptions
    @OptionGroup var length: BenchSequenceOptions

    func validate() throws { try length.check(rows: 2 * options.batch, options) }  // both responses of each pair

    func run() throws {
        var settings = options.settings
        settings.seq = length.seq
        try StepBenchmarkReport.run(.dpo, settings, options)
    }
}

/// `rlhf bench products`: the matrix products of one decoding step with `--batch` rows, from stored and
/// from packed weights.
struct BenchProductsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "products", abstract: "Time one decoding step's matrix products.")

    @OptionGroup var options: BenchOptions

    func validate() throws { try options.requireFits(rows: options.batch, length: 1, what: "one token") }

    func run() throws {
        try options.compute.apply()
        let result = StepBenchmark.products(model: options.model, rows: options.batch, runs: options.runs, threads: options.compute.threads)
        try options.report(WithInstructionSet(result), String(
            format: "products of one %@ decoding step, %d rows: stored %.1f ms (%.0f GFLOP/s), packed %.1f ms (%.0f GFLOP/s), %.2fx",
            options.model.rawValue, options.batch, result.stored_s * 1e3, result.stored_gflops, result.packed_s * 1e3,
            result.packed_gflops, result.speedup))
    }
}

/// Runs a step workload with a progress line and prints its result.
enum StepBenchmarkReport {
    static func run(_ workload: StepBenchmark.Workload, _ settings: StepBenchmark.Settings, _ options: BenchOptions) throws {
        try options.compute.apply()
        let progress = ProgressLine(label: "bench \(workload.rawValue) \(settings.model.rawValue)", total: settings.warmup + settings.runs)
        let result = try StepBenchmark(workload, settings).run(progress: progress.reporter)
        progress.finish()
        try options.report(result, String(
            format: "%@ %@: %.1f tokens/s, median %.3f s, %.1f GFLOP/s (%.0f%% of sgemm %.1f), peak RSS %.0f MB",
            workload.rawValue, settings.model.rawValue, result.tokens_per_s, result.median_s, result.gflops,
            100 * result.sgemm_fraction, result.sgemm_gflops, result.peak_rss_mb))
    }
}

/// `--weight-packing` values.
enum WeightPackingChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never

    var policy: WeightPacking {
        switch self {
        case .auto: .automatic
        case .always: .always
        case .never: .never
        }
    }
}
