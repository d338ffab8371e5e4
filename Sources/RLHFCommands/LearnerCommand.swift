import ArgumentParser
import Checksum
import ClusterCore
import ClusterTransport
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

    @OptionGroup var security: ClusterSecurityOptions

    mutating func validate() throws {
        overrides = RepeatedOptions.unpack(overrides)
        guard !output.isEmpty else { throw ValidationError("--output is empty; name the run's folder") }
        do { _ = try Endpoint(parsing: bind, binding: true) } catch { throw ValidationError("--bind \(error)") }
    }

    func run() async throws {
        try DeviceSpec.parse(device).apply()
        var logger = Logger(label: "rlhf.learner")
        logger.logLevel = .info
        let url = URL(fileURLWithPath: config)
        let settings = try PPORunConfig.load(url, overrides: overrides)
        let text = try SideFile.text(url.path, limit: SideFile.Limit.runConfig, what: "a run config")
        let rule = RunFolder.rule(output, command: "learner", config: settings, configFile: config, force: replace.force)
        let loop = try PPORunLoop(config: settings, folder: URL(fileURLWithPath: rule.resolvedPath), resume: resume)
        try await RunFolder.prepare(rule, resume: resume).guarding { try await serve(settings, configText: text, loop: loop, logger: logger) }
    }

    /// Binds, builds the learner and runs the loop's iterations.
    private func serve(_ settings: PPORunConfig, configText text: String, loop: PPORunLoop, logger: Logger) async throws {
        let server: ServerSecurity = try security.keys.map { try ClusterKeys.server(URL(fileURLWithPath: $0)) } ?? .insecure
        let digest = withUnsafeBytes(of: CRC32C.checksum(Array((text + overrides.joined(separator: "\n")).utf8)).bigEndian) { Array($0) }
        let policy = try LoadedPolicy.load(settings)
        try PPORunLimits.check(settings, model: policy.config, parameters: policy.parameters.count, embedded: false)
        let context = try ZMQContext()
        let transport = try await ZMQLearnerTransport(
            endpoint: bind, security: server,
            welcome: LearnerSession.WelcomeInfo(runSeed: settings.seed, runConfig: text, overrides: overrides, digest: digest),
            context: context, logger: logger)
        logger.info("learner bound to \(transport.endpoint)")
        // the bound endpoint (a port 0 bind gets its port here), for the launcher and for tests
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let endpointFile = URL(fileURLWithPath: output).appendingPathComponent("learner.endpoint")
        let staged = endpointFile.deletingLastPathComponent().appendingPathComponent(".learner.endpoint.tmp")
        try Data((transport.endpoint + "\n").utf8).write(to: staged)
        guard rename(staged.path, endpointFile.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        let learner = try PPOLearner.make(settings, policy: policy, runner: RoundRunner(transport: transport))
        do {
            try await loop.runWithOperator(learner, tokenizerFiles: PPOLearner.tokenizerFiles(settings, policy: policy), label: "learner")
        } catch {
            await learner.runner.stopWorkers()
            await transport.close()
            throw error
        }
        await learner.runner.stopWorkers()
        try? await Task.sleep(for: .milliseconds(200))  // let the stops go out before the socket closes
        await transport.close()
    }
}
