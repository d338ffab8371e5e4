import ArgumentParser
import Foundation
import Models
import Tensor
import Training

/// `rlhf bench`: times training steps, forward scoring or generation on a random-weight model.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark a workload on a model built from its config with random weights.",
        discussion: "Prints the median of several timed runs after warm-up; --json prints one JSON line.")

    /// What to time.
    enum Workload: String, ExpressibleByArgument, CaseIterable {
        case train, forward
    }

    @Argument(help: "Workload: \(Workload.allCases.map(\.rawValue).joined(separator: ", ")).")
    var workload: Workload

    @Option(help: "Model shape: \(BenchModel.allCases.map(\.rawValue).joined(separator: ", ")).")
    var model: BenchModel = .gpt2Small

    @Option(help: "Sequences per batch.")
    var batch: Int = 8

    @Option(help: "Tokens per sequence (train, forward).")
    var seq: Int = 128

    @Option(help: "Untimed warm-up runs.")
    var warmup: Int = 1

    @Option(help: "Timed runs (the median is reported).")
    var runs: Int = 5

    @Flag(help: "Print one JSON line.")
    var json = false

    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        guard batch >= 1, seq >= 2, runs >= 1, warmup >= 0 else {
            throw ValidationError("--batch >= 1, --seq >= 2, --runs >= 1 and --warmup >= 0 are required")
        }
        guard seq <= model.config.maxPositions else {
            throw ValidationError("--seq \(seq) exceeds \(model.rawValue)'s \(model.config.maxPositions) positions")
        }
    }

    func run() async throws {
        compute.apply()
        let config = model.config
        let lm = CausalLM(config: config)
        lm.parameters.initializeRandom(seed: 0)
        var rng = SplitMix64(seed: 1)
        let ids = (0..<batch).map { _ in (0..<seq).map { _ in Int(rng.next() % UInt64(config.vocabSize - 1)) } }
        let tokens = try TokenBatch(ids: ids)
        let progress = ProgressLine(label: "bench \(workload.rawValue) \(model.rawValue)", total: warmup + runs)

        let step: () throws -> Void
        let flopsPerRun: Double
        switch workload {
        case .train:
            lm.enableTraining()
            let optimizer = try AdamW(store: lm.parameters, config: AdamWConfig(schedule: .constant(1e-4)))
            step = {
                try lm.forward(tokens, training: true)
                _ = lm.nextTokenLoss()
                lm.backward()
                optimizer.step()
                lm.parameters.zeroGradients()
            }
            flopsPerRun = config.trainingFlopsPerToken(sequenceLength: seq) * Double(batch * seq)
        case .forward:
            step = { _ = try lm.nextTokenLogProbs(tokens) }
            flopsPerRun = config.forwardFlopsPerToken(sequenceLength: seq) * Double(batch * seq)
        }

        var times: [Double] = []
        for i in 0..<(warmup + runs) {
            let start = DispatchTime.now().uptimeNanoseconds
            try step()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if i >= warmup { times.append(seconds) }
            progress.update(i + 1, note: String(format: "%.3f s", seconds))
        }
        progress.finish()
        let median = times.sorted()[times.count / 2]
        let gflops = flopsPerRun / median / 1e9
        let sgemm = SgemmProbe.measureGflops()
        let result = BenchResult(
            workload: workload.rawValue, model: model.rawValue, threads: compute.threads, batch: batch, seq: seq,
            tokens_per_s: Double(batch * seq) / median, median_s: median, min_s: times.min()!, times_s: times,
            gflops: gflops, sgemm_gflops: sgemm, sgemm_fraction: gflops / sgemm, peak_rss_mb: ProcessStats.peakRSSMegabytes,
            params: lm.parameters.parameterCount)
        if json {
            print(try JSONOutput.line(result))
        } else {
            print(String(format: "%@ %@: %.1f tokens/s, median %.3f s, %.1f GFLOP/s (%.0f%% of sgemm %.1f), peak RSS %.0f MB",
                         workload.rawValue, model.rawValue, result.tokens_per_s, median, gflops,
                         100 * result.sgemm_fraction, sgemm, result.peak_rss_mb))
        }
    }
}

/// One benchmark measurement (the JSON line of `rlhf bench --json`).
struct BenchResult: Encodable {
    let workload: String, model: String
    let threads: Int, batch: Int, seq: Int
    let tokens_per_s: Double, median_s: Double, min_s: Double, times_s: [Double]
    let gflops: Double, sgemm_gflops: Double, sgemm_fraction: Double, peak_rss_mb: Double
    let params: Int
}

/// The model shapes `rlhf bench` can build.
enum BenchModel: String, ExpressibleByArgument, CaseIterable {
    case gpt2Small = "gpt2-small", gpt2Tiny = "gpt2-tiny", llamaSmol = "llama-smol"

    var config: TransformerConfig {
        switch self {
        case .gpt2Small: .gpt2Small
        case .gpt2Tiny: .gpt2Tiny
        case .llamaSmol: .llamaSmol
        }
    }
}
