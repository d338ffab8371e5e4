import ArgumentParser
import Benchmarks
import Models

/// The options every `rlhf bench` workload shares: the model shape, the batch, the runs, the output.
struct BenchOptions: ParsableArguments {
    @Option(help: "Model shape: \(BenchModel.allCases.map(\.rawValue).joined(separator: ", ")).")
    var model: BenchModel = .gpt2Small

    @Option(help: "Sequences per batch (products: rows per product).")
    var batch: Int = 8

    @Option(help: "Untimed warm-up runs.")
    var warmup: Int = 1

    @Option(help: "Timed runs (the median is reported).")
    var runs: Int = 5

    @Flag(help: "Print one JSON line (transport: one per measurement).")
    var json = false

    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        guard batch >= 1, runs >= 1, warmup >= 0 else { throw ValidationError("--batch >= 1, --runs >= 1 and --warmup >= 0 are required") }
        guard runs <= 10_000, warmup <= 10_000 else { throw ValidationError("--runs and --warmup must be at most 10000") }
    }

    /// Throws unless `rows` sequences of `length` tokens fit the model's positions and this machine's memory.
    func requireFits(rows: Int, length: Int, what: String) throws {
        guard length <= model.config.maxPositions else {
            throw ValidationError("\(what) exceed \(model.rawValue)'s \(model.config.maxPositions) positions")
        }
        do {
            try ModelWorkLimits.require(ModelWorkLimits.forwardFloats(model.config, batch: rows, length: length),
                                        for: "--batch \(batch) of \(length) tokens")
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// A step workload's settings from these options.
    var settings: StepBenchmark.Settings {
        var s = StepBenchmark.Settings(model: model, threads: compute.threads)
        s.batch = batch
        s.warmup = warmup
        s.runs = runs
        return s
    }

    /// Prints `result` as one JSON line with `--json`, else `line`.
    func report<Result: Encodable>(_ result: Result, _ line: @autoclosure () -> String) throws {
        try StandardOutput.line(json ? try JSONOutput.line(result) : line())
    }
}

extension BenchModel: ExpressibleByArgument {}
