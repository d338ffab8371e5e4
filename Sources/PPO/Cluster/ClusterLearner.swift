import ClusterCore
import ClusterTransport
import Foundation
import Logging
import ModelIO
import Training
import ZeroMQ

/// The PPO learner as a process of the cluster: it binds a ZeroMQ ROUTER at `bind` (CurveZMQ with the key
/// folder `rlhf launch` writes, or plain tcp), welcomes workers with the run config, and runs a
/// `PPORunLoop` whose rounds lease work to them; the same iterations, logs, checkpoints and resume as the
/// one-process run. A connection with the operator key (`keys/learner/operator.public`) may ask for the
/// run's status, a checkpoint, a stop, or a worker's drain (`OperatorDesk`).
public struct ClusterLearner {
    /// The run config, its text and the `--set` overrides on it (workers rebuild the config from these).
    public let config: PPORunConfig, configText: String, overrides: [String]
    /// Where workers connect, e.g. `tcp://*:5555` (port 0: any free port).
    public let bind: String
    /// The learner's CurveZMQ key folder (`learner.key` and each admitted worker's `NAME.public`: a key
    /// registers only as the worker it is named for); nil: plain tcp.
    public let keys: URL?
    /// Seconds a role a round needs may have no usable worker (gone or quarantined) before the run stops
    /// with a checkpoint (`ClusterRunError`).
    public let roleTimeout: Double

    /// A learner for `config` (its text and `--set` overrides go to the workers in their welcome) listening at `bind`, with CurveZMQ keys in `keys` (nil: plain tcp).
    public init(config: PPORunConfig, configText: String, overrides: [String], bind: String, keys: URL?, roleTimeout: Double = 600) {
        self.config = config
        self.configText = configText
        self.overrides = overrides
        self.bind = bind
        self.keys = keys
        self.roleTimeout = roleTimeout
    }

    /// Loads the policy, binds, tells `bound` the endpoints workers and monitors reach (once listening;
    /// the monitor's is nil in a run without keys), then runs `loop` (`requests` and `progress` as
    /// `PPORunLoop.run` takes them) and stops the workers.
    public func run(_ loop: PPORunLoop, requests: () -> PPORunRequests = { PPORunRequests() },
                    progress: (ProgressReport) -> Void = { _ in }, bound: (String, String?) throws -> Void) async throws {
        var logger = Logger(label: "rlhf.learner")
        logger.logLevel = .info
        let server: ServerSecurity = try keys.map { try ClusterKeys.server($0) } ?? .insecure
        let digest = RunConfigDigest.of(text: configText, overrides: overrides)
        let policy = try LoadedPolicy.load(config)
        try PPORunLimits.check(config, model: policy.config, parameters: policy.parameters.count, embedded: false)
        let context = try ZMQContext()
        let operatorKeys = try keys.map { try ClusterKeys.operatorKeys($0) } ?? []
        // reward workers that score text (the Python client) get each row decoded as the Swift VADER reward decodes it
        let tokenizer = try policy.requireTokenizer(config)
        let transport = try await ZMQLearnerTransport(
            endpoint: bind, security: server,
            welcome: LearnerSession.WelcomeInfo(runSeed: config.seed, runConfig: configText, overrides: overrides, digest: digest),
            clientNames: try keys.map { try ClusterKeys.clientNames($0) } ?? [:],
            operatorKeys: operatorKeys, rewardText: { RewardText.of($0, tokenizer: tokenizer) }, context: context, logger: logger)
        let runner = RoundRunner(transport: transport, roleTimeout: roleTimeout, accountsWorkers: true)
        let desk = OperatorDesk(iterations: config.iterations,
                                targets: [.rollout: config.rolloutWorkers, .reward: config.rewardWorkers, .reference: config.referenceWorkers],
                                transport: transport, keys: keys, view: { runner.view })
        transport.answerOperators { desk.answer($0) }
        // the monitor socket: only the operator's key subscribes (a run without keys has none)
        let monitor: MonitorPublisher? = keys == nil ? nil : try await MonitorPublisher(
            near: transport.endpoint, security: server.allowing(operatorKeys), snapshot: { desk.snapshot() }, context: context, logger: logger)
        logger.info("learner bound to \(transport.endpoint)\(monitor.map { "; monitor on \($0.endpoint)" } ?? "")")
        desk.monitor(at: monitor?.endpoint)
        try bound(transport.endpoint, monitor?.endpoint)
        let learner = try PPOLearner.make(config, policy: policy, runner: runner)
        // the workers beyond each role's target (after `rlhf scale` down, or a late join) are drained
        let enforcer = keys == nil ? nil : Task.detached {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                desk.enforceTargets()
            }
        }
        defer { enforcer?.cancel() }
        do {
            // the operator's requests join the signals': a checkpoint or a stop from either
            let asked = { () -> PPORunRequests in
                let (signalled, desked) = (requests(), desk.take())
                return PPORunRequests(checkpoint: signalled.checkpoint || desked.checkpoint, stop: signalled.stop || desked.stop)
            }
            try await loop.run(learner, tokenizerFiles: PPOLearner.tokenizerFiles(config, policy: policy), requests: asked) { report in
                desk.progressed(to: report.done, metrics: report.values)
                monitor?.iterationDone(report.done - 1, metrics: report.values)
                progress(report)
            }
        } catch {
            await monitor?.close()
            await learner.runner.stopWorkers()
            await transport.close()
            throw error
        }
        await monitor?.close()
        await learner.runner.stopWorkers()
        try? await Task.sleep(for: .milliseconds(200))  // let the stops go out before the socket closes
        await transport.close()
    }
}
