import ArgumentParser
import ClusterCore
import ClusterTransport
import CUDA
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

    @Option(help: "Matrix products on a GPU: fp32, tf32 or bf16.")
    var precision: CUDAPrecision = .fp32

    @Option(help: ArgumentHelp("This worker's key name in --keys (its NAME.key).", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp("After SIGTERM, how long to wait for the learner's stop while finishing the work held.", valueName: "seconds"))
    var drainSeconds: Double = 120

    @Option(help: ArgumentHelp("Say the learner does not answer after this long without its welcome, and again each time as long again (the worker keeps trying).", valueName: "seconds"))
    var connectTimeout: Double = 10

    @Option(help: ArgumentHelp("Stop with status 3 after this long without a word from the learner (not started, frozen or gone); a learner lost for a few heartbeats is registered with again long before.", valueName: "seconds"))
    var learnerTimeout: Double = 300

    @Option(help: ArgumentHelp("Answer with a fault, for tests of the learner's quarantine: fail-tasks, refuse-weights or invalid-results.", visibility: .hidden))
    var fault: String?

    @Option(help: ArgumentHelp("Answers that go out sound before --fault starts.", visibility: .hidden))
    var faultAfter = 0

    @OptionGroup var security: ClusterSecurityOptions

    func validate() throws {
        guard WorkerRole(rawValue: role) != nil else { throw ValidationError("--role \(role.prefix(40)): expected rollout, reward or reference") }
        do { _ = try Endpoint(parsing: connect, binding: false) } catch { throw ValidationError("--connect \(error)") }
        guard connectTimeout >= 0.1, connectTimeout <= 86_400 else { throw ValidationError("--connect-timeout must be between 0.1 and 86400 seconds") }
        if let fault, WorkerFault(rawValue: fault) == nil {
            throw ValidationError("--fault \(fault.prefix(40)): expected \(WorkerFault.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard learnerTimeout >= 1, learnerTimeout <= 86_400 else { throw ValidationError("--learner-timeout must be between 1 and 86400 seconds") }
        guard drainSeconds > 0, drainSeconds <= 86_400 else { throw ValidationError("--drain-seconds must be between 0 and 86400") }
        if security.keys != nil && name == nil { throw ValidationError("--keys needs --name (the worker's key file is NAME.key)") }
        if let name, name.isEmpty || name.hasPrefix(".") || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) || name.count > 200 {
            throw ValidationError("--name \(name.prefix(60)): a key name is letters, digits, '-', '_' and '.' (not first), as rlhf launch writes them")
        }
    }

    func run() async throws {
        let device = try DeviceSpec.parse(device)
        try device.apply(precision: precision)
        let drain = WorkerDrain(graceSeconds: drainSeconds, logger: Logger(label: "rlhf.worker"))
        let worker = ClusterWorker(role: ClusterWorker.Role(rawValue: role)!, connect: connect,
                                   keys: security.keys.map { (URL(fileURLWithPath: $0), name!) }, device: device.description,
                                   connectTimeout: connectTimeout, learnerTimeout: learnerTimeout,
                                   fault: fault.flatMap(WorkerFault.init(rawValue:)).map { ($0, after: max(0, faultAfter)) })
        try await worker.run(welcomed: drain.roleStarted)
    }
}
