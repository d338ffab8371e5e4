import ClusterCore
import ClusterTransport
import Foundation
import Tensor
import Logging
import Wire
import ZeroMQ

/// A worker role of the cluster (a rollout generator, reward scorer or reference worker) as a process: it
/// connects to the learner at `connect`, registers, builds its role from the run config the learner's
/// welcome carries, and works until the learner says stop.
public struct ClusterWorker {
    /// The role a worker takes.
    public enum Role: String, Sendable, CaseIterable, CustomStringConvertible {
        /// Samples responses with a copy of the policy.
        case rollout
        /// Scores whole sequences with the run's reward.
        case reward
        /// Per-token log-probs under the frozen reference.
        case reference

        /// The role's name, as on the command line.
        public var description: String { rawValue }
        /// The wire's name for the role.
        package var wire: WorkerRole { WorkerRole(rawValue: rawValue)! }
    }

    /// The role this worker takes.
    public let role: Role
    /// The learner's endpoint, e.g. `tcp://host:5555`.
    public let connect: String
    /// The run's key folder and this worker's key name in it (`NAME.key`); nil: plain tcp.
    public let keys: (folder: URL, name: String)?
    /// The device the worker says it runs on (`cpu`, `cpu:2-3`).
    public let device: String
    /// After this long without the learner's welcome, and each time as long again, the worker says so
    /// (and keeps trying).
    public let connectTimeout: Double
    /// After this long without a word from the learner (not started, frozen, or gone), the worker stops
    /// with `ClusterWorkerError` (exit status 3 on the command line).
    public let learnerTimeout: Double
    /// A fault to answer with (tests of the learner's quarantine), after how many sound answers; nil: a sound worker.
    public let fault: (WorkerFault, after: Int)?

    /// A worker of `role` for the learner at `connect`, with CurveZMQ keys from `keys` (nil: plain tcp), saying it runs on `device`.
    public init(role: Role, connect: String, keys: (folder: URL, name: String)?, device: String, connectTimeout: Double = 10,
                learnerTimeout: Double = 300, fault: (WorkerFault, after: Int)? = nil) {
        self.role = role
        self.connect = connect
        self.keys = keys
        self.device = device
        self.connectTimeout = connectTimeout
        self.learnerTimeout = learnerTimeout
        self.fault = fault
    }

    /// Registers, waits for the welcome, then runs the role until the learner stops it. `welcomed` gets a
    /// function that tells the learner this worker drains (no new work; it finishes what it holds), once
    /// there is a learner to tell. Throws `ClusterWorkerError` when the learner stays silent past
    /// `learnerTimeout` (or welcomes with another run config).
    public func run(welcomed: (@escaping @Sendable () -> Bool) -> Void = { _ in }) async throws {
        var logger = Logger(label: "rlhf.worker.\(role)")
        logger.logLevel = .info
        let client: ClientSecurity = try keys.map { try ClusterKeys.client($0.folder, name: $0.name) } ?? .insecure
        let registration = Register(role: role.wire, host: ProcessInfo.processInfo.hostName, pid: Int(getpid()), device: device,
                                    capabilities: WorkerCapabilities(maxRowsPerTask: 1 << 16,
                                                                     backends: [DefaultBackend.current.name.hasPrefix("cuda") ? "cuda" : "cpu"]))
        let context = try ZMQContext()
        let transport = try await ZMQWorkerTransport(endpoint: connect, security: client, registration: registration,
                                                     learnerTimeout: learnerTimeout, context: context, logger: logger)
        logger.info("\(role) worker on \(device): waiting for the learner at \(connect)")
        let reporter = Task { [connect, connectTimeout, logger] in
            let endpoint = try? Endpoint(parsing: connect, binding: false)
            var waited = 0.0
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(connectTimeout))
                if Task.isCancelled { return }
                waited += connectTimeout
                let why = endpoint?.hostResolves == false ? " (its host \(endpoint?.host ?? "") does not resolve)" : ""
                logger.warning("no answer from the learner at \(connect)\(why) after \(Int(waited.rounded())) s; still trying")
            }
        }
        let welcome = await transport.welcome()
        reporter.cancel()
        guard let welcome else {
            let reason = transport.endReason
            await transport.close()
            throw ClusterWorkerError(reason.map { .learnerGone(reason: $0) } ?? .neverWelcomed)
        }
        guard RunConfigDigest.matches(welcome.configDigest, text: welcome.runConfig, overrides: welcome.configOverrides) else {
            await transport.close()
            throw ClusterWorkerError(.learnerGone(reason: "the learner's run config does not match the SHA-256 digest its welcome carries"))
        }
        welcomed { (try? transport.send(.draining)) != nil }
        let config = try PPORunConfig.parse(welcome.runConfig, file: "the learner's run config", overrides: welcome.configOverrides,
                                            environment: ProcessInfo.processInfo.environment, checkPaths: true)
        logger.info("welcomed as worker \(welcome.worker); building the \(role) role")
        if fault?.0 == .hoardWeights { transport.hoardWeights() }
        let roleTransport: any WorkerTransport = fault.map { FaultyWorkerTransport(base: transport, fault: $0.0, after: $0.after) } ?? transport
        if let fault { logger.warning("this worker answers with an injected fault after \(fault.after) sound answers: \(fault.0.rawValue)") }
        let building = ContinuousClock.now
        try await RoleSetup.runWorker(role.wire, config: config, transport: roleTransport) { store in
            logger.info("built the \(role) role in \(String(format: "%.2f", (ContinuousClock.now - building) / .seconds(1))) s; ready for the policy's weights")
            transport.expectWeights(layout: PolicyWeightsLayout.manifest(of: store))
        }
        let reason = transport.endReason
        await transport.close()
        if let reason { throw ClusterWorkerError(.learnerGone(reason: reason)) }
        logger.info("stopped by the learner")
    }
}
