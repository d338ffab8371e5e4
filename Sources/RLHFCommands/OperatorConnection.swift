import ArgumentParser
import ClusterTransport
import Foundation
import Logging
import Storage
import Wire
import ZeroMQ

/// Where an operator's control command reaches the learner: the run folder `rlhf launch` wrote (its
/// `cluster.json` names the endpoint and the operator's key folder), or `--connect ENDPOINT --keys DIR`
/// (DIR holding `operator.key` and `learner.public`) for a learner started by hand.
struct OperatorConnection: ParsableArguments {
    @Option(help: ArgumentHelp("The run's folder, as `rlhf launch --output` made it (its cluster.json).", valueName: "dir"))
    var run: String?

    @Option(help: ArgumentHelp("The learner's endpoint, e.g. tcp://10.0.0.5:5555 (instead of --run).", valueName: "endpoint"))
    var connect: String?

    @Option(help: ArgumentHelp("The operator's key folder: operator.key and learner.public (with --connect).", valueName: "dir"))
    var keys: String?

    @Option(help: ArgumentHelp("Seconds to wait for the learner's answer.", valueName: "seconds"))
    var timeout: Double = 10

    func validate() throws {
        guard (run == nil) != (connect == nil) else { throw ValidationError("pass --run DIR, or --connect ENDPOINT --keys DIR") }
        if connect != nil && keys == nil { throw ValidationError("--connect needs --keys DIR (the operator's key folder)") }
        if run != nil && keys != nil { throw ValidationError("--keys goes with --connect; --run reads the keys from the run's cluster.json") }
        guard timeout.isFinite, timeout >= 0.1, timeout <= 3600 else { throw ValidationError("--timeout must be between 0.1 and 3600 seconds") }
        if let connect {
            do { _ = try Endpoint(parsing: connect, binding: false) } catch { throw ValidationError("--connect \(error)") }
        }
    }

    /// The endpoint and the operator's key folder.
    func resolve() throws -> (endpoint: String, keys: URL) {
        if let connect, let keys { return (connect, URL(fileURLWithPath: keys)) }
        let file = URL(fileURLWithPath: run!).appendingPathComponent("cluster.json")
        let data: Data
        do { data = try SideFile.read(file.path, limit: SideFile.Limit.runConfig, what: "a cluster.json") } catch {
            throw CommandInputError.unreadable(flag: "--run", path: file.path, reason: "\(error)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let endpoint = object["endpoint"] as? String else {
            throw CommandInputError.malformed(flag: "--run", path: file.path, line: 1, reason: "no \"endpoint\": not a cluster.json of `rlhf launch`")
        }
        guard let keys = object["operator_keys"] as? String else {
            throw CommandInputError.flags("--run \(run!): the run is --insecure, so it has no operator key; "
                                          + "its learner takes SIGUSR1 (checkpoint) and SIGTERM (checkpoint, then stop)")
        }
        return (endpoint, URL(fileURLWithPath: keys))
    }

    /// The operator's CurveZMQ side, from its key folder `folder`.
    func security(_ folder: URL) throws -> ClientSecurity {
        do { return try ClusterKeys.client(folder, name: ClusterKeys.operatorName) } catch {
            throw CommandInputError.unreadable(flag: connect == nil ? "--run" : "--keys", path: folder.path, reason: "\(error)")
        }
    }

    /// A logger for the connection's sockets: errors only.
    var logger: Logger {
        var logger = Logger(label: "rlhf.operator")
        logger.logLevel = .error
        return logger
    }

    /// Sends `action` and returns the learner's answer; a refusal or no answer throws (one line, exit 2).
    func ask(_ action: OperatorRequest.Action) async throws -> OperatorAnswer {
        let (endpoint, folder) = try resolve()
        let security = try security(folder)
        let answer: OperatorAnswer = try await issuing {
            try await OperatorClient.ask(action, endpoint: endpoint, security: security, timeout: timeout, logger: logger)
        }
        guard answer.done else { throw CommandInputError.flags("the learner \(answer.message)") }
        return answer
    }

    /// `body`'s result; its failure (no answer, a refusal, a key that cannot be written) as one line, exit 2.
    func issuing<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as CommandInputError { throw error } catch {
            throw CommandInputError.flags("\(error)")
        }
    }
}
