import ArgumentParser
import ClusterTransport
import Foundation
import Wire

/// `rlhf status`: the running learner's iteration and workers (one line, or its JSON with `--json`).
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show a running cluster's iteration and workers.")

    @OptionGroup var connection: OperatorConnection

    @Flag(help: "Print the learner's status as one JSON object.")
    var json = false

    func run() async throws {
        let answer = try await connection.ask(.status)
        guard !json else { return try StandardOutput.line(answer.status) }
        guard let snapshot = try? MonitorSnapshot.decode(answer.status) else { return try StandardOutput.line(answer.message) }
        let roles = ["rollout", "reward", "reference"].map { "\($0) \(snapshot.workers[$0] ?? 0)/\(snapshot.targets[$0] ?? 0)" }
        try StandardOutput.line("\(answer.message); workers (registered/target) \(roles.joined(separator: ", ")); \(snapshot.round.state)")
    }
}

/// `rlhf checkpoint`: the running learner writes a checkpoint after the iteration in progress.
struct CheckpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "checkpoint",
                                                    abstract: "Ask a running cluster's learner for a checkpoint after this iteration.")

    @OptionGroup var connection: OperatorConnection

    func run() async throws { try StandardOutput.line(try await connection.ask(.checkpoint).message) }
}

/// `rlhf stop`: the running learner writes a checkpoint after the iteration in progress, then stops the run
/// cleanly (its workers too); `--resume` continues it.
struct StopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop",
                                                    abstract: "Stop a running cluster cleanly, after a checkpoint (continue it with --resume).")

    @OptionGroup var connection: OperatorConnection

    func run() async throws { try StandardOutput.line(try await connection.ask(.stop).message) }
}

/// `rlhf drain WORKER`: the worker takes no new work, finishes what it holds and exits 0.
struct DrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "drain",
                                                    abstract: "Drain one worker of a running cluster: it finishes what it holds, then exits.")

    @OptionGroup var connection: OperatorConnection

    @Argument(help: ArgumentHelp("The worker's name as its key was issued: ROLE-INDEX (e.g. reward-0).", valueName: "worker"))
    var worker: String

    func validate() throws {
        guard OperatorRequest.isWorkerName(worker) else {
            throw ValidationError("\(MessageEscaping.oneLine(String(worker.prefix(60)))): expected a worker name ROLE-INDEX, e.g. reward-0")
        }
    }

    func run() async throws { try StandardOutput.line(try await connection.ask(.drain(worker: worker)).message) }
}
