import ArgumentParser
import Foundation
import PPO
import RunLogs
import Wire

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
        try compute.apply()
        let settings = try PPORunConfig.load(URL(fileURLWithPath: config), overrides: overrides)
        let rule = RunFolder.rule(output, command: "ppo", config: settings, configFile: config, force: replace.force)
        let loop = try PPORunLoop(config: settings, folder: URL(fileURLWithPath: rule.resolvedPath), resume: resume)
        try await RunFolder.prepare(rule, resume: resume).guarding {
            let run = try EmbeddedPPORun(config: settings)
            do {
                try await loop.runWithOperator(run.learner, tokenizerFiles: run.tokenizerFiles, label: "ppo")
            } catch {
                await run.shutdown()
                throw error
            }
            await run.shutdown()
        }
    }
}
