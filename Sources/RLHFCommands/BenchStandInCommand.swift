import ArgumentParser
import Benchmarks
import ClusterCore
import ClusterTransport
import Foundation
import Logging
import Wire
import ZeroMQ

/// `rlhf bench stand-in`: one generator stand-in of `rlhf bench transport --generator-host`, as a process
/// of its own (started by the bench through a host's command): it registers with the learner at
/// `--learner`, takes every weights version as a generator does (assembled, verified, checked against the
/// layout of `--model`), answers `installed`, and stops at the learner's `stop` or SIGTERM.
struct BenchStandInCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stand-in", abstract: "A generator stand-in for rlhf bench transport --generator-host.",
                                                    shouldDisplay: false)

    @Option(help: "The bench learner's endpoint (tcp://ADDRESS:PORT).")
    var learner: String

    @Option(help: "Model shape whose layout the weights have.")
    var model: BenchModel = .gpt2Small

    @Option(help: "Floats of the weights (as the bench's --floats).")
    var floats: Int?

    @Option(help: "The weights are a LoRA adapter of this rank (as the bench's --lora-rank).")
    var loraRank: Int?

    @Option(help: "The host name to register as.")
    var hostName: String

    @Option(help: "This stand-in's key folder (CurveZMQ).")
    var keyFolder: String?

    @Option(help: "The name its key was issued as.")
    var name: String?

    @Flag(help: "Plain tcp, no CurveZMQ.")
    var insecure = false

    func validate() throws {
        _ = try Endpoint(parsing: learner, binding: false)
        guard insecure != (keyFolder != nil && name != nil) else { throw ValidationError("give --key-folder and --name, or --insecure") }
        if let floats, floats < 1 { throw ValidationError("--floats must be at least 1") }
    }

    func run() async throws {
        var logger = Logger(label: "rlhf.bench.stand-in")
        logger.logLevel = .warning
        let security: ClientSecurity = try keyFolder.map { try ClusterKeys.client(URL(fileURLWithPath: $0), name: name ?? "") } ?? .insecure
        let layout = try BenchPolicy(model: model, floats: floats, loraRank: loraRank, initialized: false).layout
        let context = try ZMQContext()
        let registration = Register(role: .rollout, host: hostName, pid: Int(getpid()), device: "cpu",
                                    capabilities: WorkerCapabilities(maxRowsPerTask: 1 << 16, backends: ["cpu"]))
        let transport = try await ZMQWorkerTransport(endpoint: learner, security: security, registration: registration, learnerTimeout: 60,
                                                     context: context, logger: logger)
        let stop = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
        signal(SIGTERM, SIG_IGN)
        stop.setEventHandler { Task { await transport.close() } }
        stop.resume()
        defer { stop.cancel() }
        guard await transport.welcome() != nil else {
            await transport.close()
            throw ExitCode(1)
        }
        transport.expectWeights(layout: layout)
        await CannedWorker(index: 0, role: .rollout, transport: transport, layout: layout).run()
        await transport.close()
        withExtendedLifetime(context) {}
    }
}
