import ArgumentParser
import ClusterTransport
import Foundation
import Wire

/// `rlhf scale`: sets a role's target number of workers in a running cluster (`N`, or `+k`/`-k`): the
/// launcher starts the missing workers on free slots of the host file, each with a fresh key the learner
/// admits, and the learner drains the extra ones (the newest first), which then exit 0.
struct ScaleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scale",
                                                    abstract: "Grow or shrink a running cluster's workers of a role (N, +k or -k).")

    @OptionGroup var connection: OperatorConnection

    @Option(parsing: .unconditional, help: ArgumentHelp("Rollout generators: N, +k or -k.", valueName: "count"))
    var rollout: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Reward scorers: N, +k or -k.", valueName: "count"))
    var reward: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Reference workers: N, +k or -k.", valueName: "count"))
    var reference: String?

    /// A count as given: a target, or a change.
    struct Change: Equatable {
        var count: Int, relative: Bool

        /// Parses `N`, `+k` or `-k` (at most `OperatorRequest.scaleLimit`).
        init?(_ text: String) {
            let relative = text.hasPrefix("+") || text.hasPrefix("-")
            guard let value = Int(text.hasPrefix("+") ? String(text.dropFirst()) : text), abs(value) <= OperatorRequest.scaleLimit,
                  relative || value >= 0 else { return nil }
            (count, self.relative) = (value, relative)
        }
    }

    /// The roles asked for, with their changes.
    private var changes: [(WorkerRole, String?)] { [(.rollout, rollout), (.reward, reward), (.reference, reference)] }

    func validate() throws {
        guard changes.contains(where: { $0.1 != nil }) else { throw ValidationError("pass --rollout, --reward or --reference: N, +k or -k") }
        for case let (role, text?) in changes where Change(text) == nil {
            throw ValidationError("--\(role) \(MessageEscaping.oneLine(String(text.prefix(40)))): expected N, +k or -k (at most \(OperatorRequest.scaleLimit))")
        }
    }

    func run() async throws {
        for case let (role, text?) in changes {
            let change = Change(text)!
            try StandardOutput.line(try await connection.ask(.scale(role: role, count: change.count, relative: change.relative)).message)
        }
    }
}

/// `rlhf keys`: the key commands of a running cluster.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "Issue keys for workers of a running cluster.",
                                                    subcommands: [KeysIssueCommand.self])
}

/// `rlhf keys issue`: a fresh key pair for one more worker of a running cluster, admitted by its learner,
/// for a worker started by hand anywhere (`rlhf worker --keys FOLDER --name NAME`).
struct KeysIssueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "issue",
                                                    abstract: "Issue and register a key for one more worker of a running cluster.")

    @OptionGroup var connection: OperatorConnection

    @Option(help: ArgumentHelp("The worker's role: rollout, reward or reference.", valueName: "role"))
    var role: String

    @Option(help: ArgumentHelp("Where the worker's key folder goes (default: the run's key folder with --run; needed with --connect).", valueName: "dir"))
    var output: String?

    func validate() throws {
        guard WorkerRole(rawValue: role) != nil else { throw ValidationError("--role \(MessageEscaping.oneLine(String(role.prefix(40)))): expected rollout, reward or reference") }
        if connection.connect != nil && output == nil { throw ValidationError("--connect needs --output DIR: where the worker's key folder goes") }
    }

    func run() async throws {
        let (endpoint, operatorFolder) = try connection.resolve()
        let folder = output.map { URL(fileURLWithPath: $0) } ?? operatorFolder.deletingLastPathComponent()
        let security = try connection.security(operatorFolder)
        let issued = try await connection.issuing {
            try await WorkerIssuing.issue(WorkerRole(rawValue: role)!, into: folder, endpoint: endpoint, security: security,
                                          timeout: connection.timeout, logger: connection.logger)
        }
        try StandardOutput.line("issued \(issued.name): its keys are in \(issued.folder.path); start it with "
                                + "rlhf worker --role \(role) --connect \(endpoint) --keys \(issued.folder.path) --name \(issued.name)")
    }
}
