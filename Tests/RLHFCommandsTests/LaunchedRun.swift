import Foundation
import TestSupport
import XCTest

/// A keyed `rlhf launch` of the cluster config as a test runs it: into `ROOT/run`, its output in
/// `ROOT/launch.log`, with the control commands and the embedded run to compare with at hand.
struct LaunchedRun {
    let process: Process, output: URL, root: URL, binary: URL

    /// The metric prefixes that depend on timing or placement, left out of comparisons.
    static let placementDependent = ["time/", "tokens_per_s", "cluster/"]

    /// Launches with `sets` (and `hostfile`, default the five-slot localhost file), then waits until
    /// `iterations` are logged.
    static func start(_ binary: URL, _ sets: [String], in root: URL, hostfile: URL? = nil, waitingFor iterations: Int) throws -> LaunchedRun {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let output = root.appendingPathComponent("run")
        let hosts = hostfile ?? TestPaths.packageRoot.appendingPathComponent("cluster/hosts-localhost.txt")
        let process = try RLHFBinary.start(binary, ["launch", "--hostfile", hosts.path, "--config", TestPaths.clusterConfig.path,
                                                    "--output", output.path] + sets,
                                           environment: TestPaths.environment, log: root.appendingPathComponent("launch.log"))
        let run = LaunchedRun(process: process, output: output, root: root, binary: binary)
        _ = run.wait(seconds: 180) { run.metrics.count >= iterations || !process.isRunning }
        return run
    }

    /// A host file of one shared-core host with `slots` slots, written into `root`.
    static func sharedHosts(slots: Int, in root: URL) throws -> URL {
        let file = root.appendingPathComponent("hosts.txt")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try "localhost slots=\(slots) cores=shared\n".write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// The run's `cluster.json`.
    var cluster: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("cluster.json")))) as? [String: Any] ?? [:]
    }

    /// The processes `cluster.json` lists, the learner first.
    var processes: [[String: Any]] { cluster["processes"] as? [[String: Any]] ?? [] }

    /// The pids `cluster.json` lists, the learner first.
    var pids: [Int32] { processes.compactMap { ($0["pid"] as? Int).map(Int32.init) } }

    /// The launcher's log so far.
    var log: String { (try? String(contentsOf: root.appendingPathComponent("launch.log"), encoding: .utf8)) ?? "" }

    /// Every metrics line so far, all values.
    var metrics: [[String: Double]] { (try? RunOutput.metrics(output, dropping: [])) ?? [] }

    /// `rlhf COMMAND ... --run OUTPUT`.
    func control(_ arguments: [String]) throws -> RLHFBinary.Run {
        try RLHFBinary.run(binary, arguments + ["--run", output.path], environment: TestPaths.environment)
    }

    /// Polls `condition` every 50 ms for up to `seconds`; whether it held.
    @discardableResult
    func wait(seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            guard Date() < deadline else { return false }
            usleep(50_000)
        }
        return true
    }

    /// Asserts that the run holds every iteration of `iterations` once, with the embedded run's values
    /// (same `sets`) for everything that does not depend on timing or placement.
    func assertMatchesEmbedded(_ sets: [String], iterations: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let embedded = root.appendingPathComponent("embedded")
        let alone = try RLHFBinary.run(binary, ["ppo", "--config", TestPaths.clusterConfig.path, "--output", embedded.path] + sets,
                                       environment: TestPaths.environment)
        XCTAssertEqual(alone.status, 0, alone.stderr, file: file, line: line)
        let got = try RunOutput.metrics(output, dropping: Self.placementDependent)
        XCTAssertEqual(got.compactMap { $0["iteration"] }, (0..<iterations).map(Double.init), "every iteration once", file: file, line: line)
        XCTAssertEqual(got, try RunOutput.metrics(embedded, dropping: Self.placementDependent), "the uninterrupted run's values",
                       file: file, line: line)
    }

    /// Kills the launcher and every process `cluster.json` lists (a test's clean-up).
    func killAll() {
        for pid in pids + [process.processIdentifier] where pid > 1 { kill(pid, SIGKILL) }
    }
}
