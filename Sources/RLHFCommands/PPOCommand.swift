import ArgumentParser
import Cluster
import Foundation
import Monitor

/// `rlhf ppo`: PPO from a reward, in one process (the embedded default), from a YAML run config.
struct PPOCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ppo",
        abstract: "Train a policy with PPO against a reward, in one process, from a YAML run config.",
        discussion: """
            Keys follow TRL 0.11's PPOConfig (learning_rate, batch_size, mini_batch_size, ppo_epochs, init_kl_coef, \
            adap_kl_ctrl, target, horizon, gamma, lam, cliprange, cliprange_value, vf_coef, whiten_rewards, max_grad_norm, \
            seed, ratio_threshold) plus iterations, eval_every, advantage, policy.*, reference.*, reward.*, data.*, \
            generation.*; see cluster/configs/. Metrics go to OUTPUT/metrics.jsonl (one object per iteration) and \
            TensorBoard event files in OUTPUT; with eval_every, held-out eval/* metrics are measured before iteration 0, \
            every eval_every iterations, and once more after the last (a line with iteration = iterations).
            """)

    @Option(help: "The run config (YAML).")
    var config: String

    @Option(name: .customLong("set"), help: "Override a config key: key=value, nested keys with dots (repeatable).")
    var overrides: [String] = []

    @Option(help: "The folder for metrics.jsonl and the TensorBoard event files.")
    var output: String

    @Flag(help: "Continue the run in --output from its last checkpoint (checkpoints/iteration-N/).")
    var resume = false

    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        guard !output.isEmpty else { throw ValidationError("--output is empty; name the run's folder") }
    }

    func run() async throws {
        compute.apply()
        let settings = try PPORunConfig.load(URL(fileURLWithPath: config), overrides: overrides)
        let folder = URL(fileURLWithPath: output)
        let checkpoint = resume ? PPOCheckpoint.all(in: folder).last : nil
        if resume && checkpoint == nil { throw PPOCheckpointError.noCheckpoint(folder: folder.path) }
        if !resume { try RunFolder.checkFresh(folder) }
        let run = try EmbeddedPPORun(config: settings)
        var first = 0
        if let checkpoint {
            first = try PPOCheckpoint.restore(run.learner, from: checkpoint.url)
            for name in ["metrics.jsonl", "samples.jsonl"] {
                try RunFolder.rewind(folder.appendingPathComponent(name), toIterationsBelow: first)
            }
        }
        let metrics = try MetricsJSONLWriter(url: folder.appendingPathComponent("metrics.jsonl"))
        let events = try TensorBoardEventWriter(directory: folder)
        if first > 0 { try events.writeRestart(step: first) }
        let samples = try SampleLog(url: folder.appendingPathComponent("samples.jsonl"))
        let progress = ProgressLine(label: "ppo", total: settings.iterations)
        if first > 0 { progress.update(min(first, settings.iterations), note: "resumed from \(checkpoint?.url.lastPathComponent ?? "")") }
        for iteration in first..<max(first, settings.iterations) {
            let values = try await run.runIteration(iteration)
            try samples.write(run.lastSamples, iteration: iteration)
            try metrics.write(values)
            try events.write(step: iteration, scalars: values)
            if settings.saveEvery > 0 && (iteration + 1) % settings.saveEvery == 0 {
                try PPOCheckpoint.save(run.learner, iteration: iteration + 1, tokenizerFiles: run.tokenizerFiles, to: folder)
            }
            progress.update(iteration + 1, note: String(format: "reward %.3f  kl %.3f  β %.3f",
                                                        values["env/reward_mean"] ?? .nan, values["objective/kl"] ?? .nan,
                                                        values["objective/kl_coef"] ?? .nan))
        }
        if settings.evalEvery > 0 {
            var final = try await run.evaluate()
            try samples.write(run.lastSamples, iteration: settings.iterations)
            final["iteration"] = Double(settings.iterations)
            try metrics.write(final)
            try events.write(step: settings.iterations, scalars: final)
        }
        progress.finish()
        await run.shutdown()
    }
}

/// `OUTPUT/samples.jsonl`: a few held-out prompts with the response sampled at each evaluation and its
/// reward, one JSON object per sample, so a run shows its generations before and after training.
struct SampleLog {
    private let handle: FileHandle
    let url: URL

    init(url: URL) throws {
        self.url = url
        if !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw MetricsWriteError(file: url.path, reason: "cannot create the file")
            }
        }
        do {
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        } catch {
            throw MetricsWriteError(file: url.path, reason: (error as NSError).localizedDescription)
        }
    }

    /// Appends `samples` of the evaluation before `iteration` (nothing when there are none).
    func write(_ samples: [PPOLearner.Sample], iteration: Int) throws {
        guard !samples.isEmpty else { return }
        struct Line: Encodable { let iteration: Int; let prompt: String; let response: String; let reward: Double }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var text = ""
        for s in samples {
            let data = try encoder.encode(Line(iteration: iteration, prompt: s.prompt, response: s.response, reward: s.reward))
            text += String(decoding: data, as: UTF8.self) + "\n"
        }
        do { try handle.write(contentsOf: Data(text.utf8)) } catch {
            throw MetricsWriteError(file: url.path, reason: (error as NSError).localizedDescription)
        }
    }
}
