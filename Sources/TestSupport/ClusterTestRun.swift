import Foundation

/// One multi-process cluster test's run: a learner and its workers as real `rlhf` processes on
/// loopback, each with its log in `root`. The learner binds a free port and writes it to
/// `OUTPUT/learner.endpoint`; workers connect there. Every process still running is killed when the
/// run is dropped (or by `killAll`), so a failing test leaves nothing behind.
package final class ClusterTestRun {
    /// The `rlhf` binary, the folder holding the logs, and the learner's run folder.
    package let binary: URL, root: URL, output: URL
    /// The environment every process gets on top of the test's.
    package let environment: [String: String?]
    /// The learner, and the endpoint it bound.
    package let learner: Process, endpoint: String
    /// Every process started, the learner first.
    package private(set) var processes: [Process]
    /// How `--security` was given to the learner: `--insecure`, or the run's key folder (`ClusterKeys` layout).
    private let keys: URL?

    /// Starts `rlhf learner --config CONFIG --output ROOT/run --bind tcp://127.0.0.1:0` with `arguments`
    /// (overrides, timeouts), secured with the key folder `keys` (the layout `rlhf launch` writes) or
    /// `--insecure`, and waits up to `startSeconds` for its endpoint.
    package init(binary: URL, root: URL, config: URL, arguments: [String], keys: URL? = nil,
                 environment: [String: String?] = TestPaths.environment, startSeconds: Double = 120) throws {
        self.binary = binary
        self.root = root
        self.environment = environment
        self.keys = keys
        output = root.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let security = keys.map { ["--keys", $0.appendingPathComponent("learner").path] } ?? ["--insecure"]
        learner = try RLHFBinary.start(binary, ["learner", "--config", config.path, "--output", output.path,
                                                "--bind", "tcp://127.0.0.1:0"] + security + arguments,
                                       environment: environment, log: root.appendingPathComponent("learner.log"))
        processes = [learner]
        let endpointFile = output.appendingPathComponent("learner.endpoint"), deadline = Date().addingTimeInterval(startSeconds)
        while !FileManager.default.fileExists(atPath: endpointFile.path) && learner.isRunning && Date() < deadline { usleep(10_000) }
        guard let text = try? String(contentsOf: endpointFile, encoding: .utf8) else {
            if learner.isRunning { kill(learner.processIdentifier, SIGKILL) }
            let log = (try? String(contentsOf: root.appendingPathComponent("learner.log"), encoding: .utf8)) ?? ""
            throw ClusterTestRunError(what: "the learner wrote no endpoint: \(log.suffix(2000))")
        }
        endpoint = text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts `rlhf worker --role ROLE` against the learner with `arguments`, its log `ROOT/LOG.log`
    /// (default: the name, or `worker-N-ROLE`). With keys, `name` picks the worker's key folder.
    @discardableResult
    package func startWorker(_ role: String, name: String? = nil, arguments: [String] = [], log: String? = nil) throws -> Process {
        var security = ["--insecure"]
        if let keys {
            guard let name else { throw ClusterTestRunError(what: "a keyed worker needs its key name") }
            security = ["--keys", keys.appendingPathComponent(name).path, "--name", name]
        }
        let logName = log ?? name ?? "worker-\(processes.count - 1)-\(role)"
        let process = try RLHFBinary.start(binary, ["worker", "--role", role, "--connect", endpoint] + security + arguments,
                                           environment: environment, log: root.appendingPathComponent("\(logName).log"))
        processes.append(process)
        return process
    }

    /// Waits for the learner to end, up to `seconds` (a hang guard); whether it ended.
    @discardableResult
    package func waitForLearner(seconds: Double = 240) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while learner.isRunning && Date() < deadline { usleep(50_000) }
        return !learner.isRunning
    }

    /// Waits until `condition` holds or the learner ends, up to `seconds`; whether it holds.
    @discardableResult
    package func wait(seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() && learner.isRunning && Date() < deadline { usleep(50_000) }
        return condition()
    }

    /// The learner's log so far.
    package var learnerLog: String { log("learner") }

    /// The log `ROOT/NAME.log` so far ("" when there is none).
    package func log(_ name: String) -> String {
        (try? String(contentsOf: root.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
    }

    /// Kills every process still running.
    package func killAll() {
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    deinit { killAll() }
}

/// A cluster test's processes could not be started: why.
package struct ClusterTestRunError: Error, CustomStringConvertible {
    package let what: String
    package var description: String { what }
}
