import ArgumentParser
import ClusterCore
import ClusterTransport
import Foundation
import Launch
import Logging
import PPO
import Wire
import ZeroMQ

/// `rlhf worker`: one rollout generator, reward scorer or reference worker as its own process, pinned to
/// a device, connected to a learner over ZeroMQ. It builds its role from the run config the learner's
/// `Welcome` carries and works until the learner says stop.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run one PPO worker role (rollout, reward or reference) against a learner over ZeroMQ.")

    @Option(help: "The role: rollout, reward or reference.")
    var role: String

    @Option(help: ArgumentHelp("The learner's endpoint, e.g. tcp://host:5555.", valueName: "endpoint"))
    var connect: String

    @Option(help: ArgumentHelp("What to run on: cpu, cpu:CORES (e.g. cpu:2-3) or cuda:N.", valueName: "device"))
    var device = "cpu"

    @Option(help: ArgumentHelp("This worker's key name in --keys (its NAME.key).", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp("After SIGTERM, how long to wait for the learner's stop while finishing the work held.", valueName: "seconds"))
    var drainSeconds: Double = 120

    @Option(help: ArgumentHelp("Say the learner does not answer after this long without its welcome, and again each time as long again (the worker keeps trying).", valueName: "seconds"))
    var connectTimeout: Double = 10

    @OptionGroup var security: ClusterSecurityOptions

    func validate() throws {
        guard WorkerRole(rawValue: role) != nil else { throw ValidationError("--role \(role.prefix(40)): expected rollout, reward or reference") }
        do { _ = try Endpoint(parsing: connect, binding: false) } catch { throw ValidationError("--connect \(error)") }
        guard connectTimeout >= 0.1, connectTimeout <= 86_400 else { throw ValidationError("--connect-timeout must be between 0.1 and 86400 seconds") }
        guard drainSeconds > 0, drainSeconds <= 86_400 else { throw ValidationError("--drain-seconds must be between 0 and 86400") }
        if security.keys != nil && name == nil { throw ValidationError("--keys needs --name (the worker's key file is NAME.key)") }
        if let name, name.isEmpty || name.hasPrefix(".") || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) || name.count > 200 {
            throw ValidationError("--name \(name.prefix(60)): a key name is letters, digits, '-', '_' and '.' (not first), as rlhf launch writes them")
        }
    }

    func run() async throws {
        let role = WorkerRole(rawValue: role)!
        let device = try DeviceSpec.parse(device)
        try device.apply()
        var logger = Logger(label: "rlhf.worker.\(role)")
        logger.logLevel = .info
        let client: ClientSecurity = try security.keys.map { try ClusterKeys.client(URL(fileURLWithPath: $0), name: name!) } ?? .insecure
        let registration = Register(role: role, host: ProcessInfo.processInfo.hostName, pid: Int(getpid()),
                                    device: device.description, capabilities: WorkerCapabilities(maxRowsPerTask: 1 << 16, backends: ["cpu"]))
        let context = try ZMQContext()
        let transport = try await ZMQWorkerTransport(endpoint: connect, security: client, registration: registration,
                                                     context: context, logger: logger)
        let drain = WorkerDrain(graceSeconds: drainSeconds, logger: logger) { message in (try? transport.send(message)) != nil }
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
        guard let welcome else { throw TransportError.closed("the learner") }
        drain.roleStarted()
        let config = try PPORunConfig.parse(welcome.runConfig, file: "the learner's run config", overrides: welcome.configOverrides,
                                            environment: ProcessInfo.processInfo.environment, checkPaths: true)
        logger.info("welcomed as worker \(welcome.worker); building the \(role) role")
        try await RoleSetup.runWorker(role, config: config, transport: transport) { store in
            transport.expectWeights(layout: PolicyWeightsLayout.manifest(of: store))
        }
        logger.info("stopped by the learner")
        await transport.close()
    }
}
