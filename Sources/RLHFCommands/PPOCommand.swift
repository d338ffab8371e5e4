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

    @OptionGroup var replace: ForceOption

    @OptionGroup var compute: ComputeOptions

    mutating func validate() throws {
        overrides = RepeatedOptions.unpack(overrides)
        guard !output.isEmpty else { throw ValidationError("--output is empty; name the run's folder") }
    }

    func run() async throws {
        compute.apply()
        let settings = try PPORunConfig.load(URL(fileURLWithPath: config), overrides: overrides)
        let rule = RunFolder.rule(output, command: "ppo", config: settings, configFile: config, force: replace.force)
        let loop = try PPORunLoop(config: settings, output: rule, resume: resume)
        try await loop.claim.guarding {
            let run = try EmbeddedPPORun(config: settings)
            do {
                try await loop.run(run.learner, tokenizerFiles: run.tokenizerFiles, label: "ppo")
            } catch {
                await run.shutdown()
                throw error
            }
            await run.shutdown()
        }
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
