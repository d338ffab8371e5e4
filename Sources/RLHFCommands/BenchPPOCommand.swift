import ArgumentParser
import Benchmarks

/// `rlhf bench ppo`: one PPO iteration as `../shared/peer/bench_ppo.py` times TRL 0.11's (generate,
/// score, reference log-probs, PPO epochs) on a random-weight policy, reward model and reference.
struct BenchPPOCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ppo", abstract: "Time one PPO iteration as TRL's is timed.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Sequences per minibatch.")
    var miniBatch: Int = 4

    @Option(help: "Passes over the batch.")
    var ppoEpochs: Int = 4

    @OptionGroup var lengths: BenchSamplingLengthOptions

    func validate() throws {
        guard miniBatch >= 1, miniBatch <= options.batch, ppoEpochs >= 1, ppoEpochs <= 1000 else {
            throw ValidationError("--mini-batch must be between 1 and --batch, --ppo-epochs between 1 and 1000")
        }
        try lengths.check(options)
    }

    func run() throws {
        try options.compute.apply()
        var bench = PPOBenchmark(model: options.model, threads: options.compute.threads)
        (bench.batch, bench.miniBatch, bench.ppoEpochs) = (options.batch, miniBatch, ppoEpochs)
        (bench.promptLen, bench.newTokens, bench.warmup, bench.runs) = (lengths.promptLen, lengths.newTokens, options.warmup, options.runs)
        let progress = ProgressLine(label: "bench ppo \(options.model.rawValue)", total: options.warmup + options.runs)
        let result = try bench.run(progress: progress.reporter)
        progress.finish()
        try options.report(result, String(
            format: "ppo %@: %.3f s per iteration (generate %.3f, score %.3f, reference %.3f, learn %.3f), peak RSS %.0f MB",
            options.model.rawValue, result.median_s, result.generate_s, result.score_s, result.reference_s, result.learn_s,
            result.peak_rss_mb))
    }
}
