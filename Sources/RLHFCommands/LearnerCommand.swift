import ArgumentParser
import Checksum
import ClusterCore
import ClusterTransport
import CUDA
import Foundation
import Launch
import Logging
import ModelIO
import PPO
import Storage
import Wire
import ZeroMQ

/// `rlhf learner`: the PPO learner as its own process, serving rollout, reward and reference workers
/// over ZeroMQ; the same iterations, logs, checkpoints and resume as `rlhf ppo`.
struct LearnerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learner",
        abstract: "Run the PPO learner, leasing work to `rlhf worker` processes over ZeroMQ.")

    @Option(help: "The run config (YAML).")
    var config: String

    @Option(name: .customLong("set"), help: "Override a config key: key=value, nested keys with dots (repeatable).")
    var overrides: [String] = []

    @Option(help: ArgumentHelp("Where workers connect, e.g. tcp://*:5555.", valueName: "endpoint"))
    var bind: String

    @Option(help: "The folder for metrics.jsonl, the TensorBoard event files and checkpoints.")
    var output: String

    @Flag(help: "Continue the run in --output from its last checkpoint.")
    var resume = false

    @OptionGroup var replace: ForceOption

    @Option(help: ArgumentHelp("What to run on: cpu, cpu:CORES or cuda:N.", valueName: "device"))
    var device = "cpu"

    @Option(help: "Matrix products on a GPU: fp32, tf32 or bf16.")
    var precision: CUDAPrecision = .fp32

    @Option(help: ArgumentHelp("Stop the run, with a checkpoint and status 3, when a role it needs has had no usable worker (gone or quarantined) this long.", valueName: "seconds"))
    var roleTimeout: Double = 600

    @OptionGroup var security: ClusterSecurityOptions

    mutating func validate() throws {
        overrides = RepeatedOptions.unpack(overrides)
        guard roleTimeout >= 1, roleTimeout <= 864_000 else { throw ValidationError("--role-timeout must be between 1 and 864000 seconds") }
        guard !output.isEmpty else { throw ValidationError("--output is empty; name the run's folder") }
        let endpoint: Endpoint
        do { endpoint = try Endpoint(parsing: bind, binding: true) } catch { throw ValidationError("--bind \(error)") }
        if security.insecure && !endpoint.isLoopback {
            throw ValidationError("--insecure --bind \(bind.prefix(200)): plain tcp without CurveZMQ listens on loopback only (127.0.0.1, ::1, localhost or ipc://); other machines need --keys")
        }
    }

    func run() async throws {
        try DeviceSpec.parse(device).apply(precision: precision)
        let logger = Logger(label: "rlhf.learner")
        let url = URL(fileURLWithPath: config)
        let settings = try PPORunConfig.load(url, overrides: overrides)
        let text = try SideFile.text(url.path, limit: SideFile.Limit.runConfig, what: "a run config")
        let rule = RunFolder.rule(output, command: "learner", config: settings, configFile: config, force: replace.force)
        let loop = try PPORunLoop(config: settings, folder: URL(fileURLWithPath: rule.resolvedPath), resume: resume)
        try await RunFolder.prepare(rule, resume: resume).guarding { try await serve(settings, configText: text, loop: loop, logger: logger) }
    }

    /// Binds, builds the learner and runs the loop's iterations.
    private func serve(_ settings: PPORunConfig, configText text: String, loop: PPORunLoop, logger: Logger) async throws {
        let learner = ClusterLearner(config: settings, configText: text, overrides: overrides, bind: bind,
                                     keys: security.keys.map { URL(fileURLWithPath: $0) }, roleTimeout: roleTimeout)
        let requests = LearnerRequests { line in logger.notice("\(line)") }
        let progress = ProgressLine(label: "learner", total: settings.iterations)
        defer { progress.finish() }
        try await learner.run(loop, requests: requests.take, progress: progress.reporter) { endpoint, monitor in
            // the bound endpoints (a port 0 bind gets its port here), for the launcher, the monitor and tests;
            // the monitor's first, so that a launcher that sees learner.endpoint finds both
            let folder = URL(fileURLWithPath: output)
            if let monitor { try StagedWrite.file(folder.appendingPathComponent("monitor.endpoint"), contents: Data((monitor + "\n").utf8)) }
            try StagedWrite.file(folder.appendingPathComponent("learner.endpoint"), contents: Data((endpoint + "\n").utf8))
        }
    }
}
