import Foundation
import TestSupport
import XCTest

/// Workers come back by themselves, with real processes on loopback: a learner frozen for 12 s
/// (SIGSTOP, then SIGCONT) gets every worker back, and a worker whose TCP connection is cut and comes
/// back (through a proxy the test restarts) rejoins. One worker per role, so the run can only finish if
/// each of them takes work again; it finishes with each iteration once, at the embedded run's numbers.
final class ClusterRejoinTests: XCTestCase {
    let config = TestPaths.packageRoot.appendingPathComponent("cluster/configs/sentiment-stories260k.yaml")
    let environment = ["RLHF_SHARED": TestPaths.shared.path, "RLHF_MODELS": TestPaths.models.path]
    let settings = ["iterations=8", "eval_every=0", "save_every=0", "roles.rollout=1"]
    var sets: [String] { settings.flatMap { ["--set", $0] } }
    var binary: URL { RLHFBinary.url(besideBundleOf: Self.self) }

    /// Lines of `output`'s metrics so far.
    func lines(_ output: URL) -> Int {
        ((try? String(contentsOf: output.appendingPathComponent("metrics.jsonl"), encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    /// Waits for `process` to end (a hang guard of 240 s, about 10x the run) and checks it succeeded.
    func finish(_ process: Process, log: URL, file: StaticString = #filePath, line: UInt = #line) -> String {
        let deadline = Date().addingTimeInterval(240)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        XCTAssertFalse(process.isRunning, "hang guard: the run ended", file: file, line: line)
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        XCTAssertEqual(process.terminationStatus, 0, String(text.suffix(3000)), file: file, line: line)
        return text
    }

    /// The run in `output` has each iteration once, with the embedded run's numbers.
    func assertEmbeddedNumbers(_ output: URL, root: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let embedded = root.appendingPathComponent("embedded")
        let alone = try RLHFBinary.run(binary, ["ppo", "--config", config.path, "--output", embedded.path] + sets, environment: environment)
        XCTAssertEqual(alone.status, 0, alone.stderr, file: file, line: line)
        let dropping = ["time/", "tokens_per_s", "cluster/"]
        let expected = try RunOutput.metrics(embedded, dropping: dropping), got = try RunOutput.metrics(output, dropping: dropping)
        XCTAssertEqual(got.compactMap { $0["iteration"] }, (0..<8).map(Double.init), "each iteration once", file: file, line: line)
        XCTAssertEqual(got, expected, "the uninterrupted run's numbers", file: file, line: line)
    }

    /// How many times a worker of `role` registered, as the learner logged it.
    func registrations(_ role: String, in log: String) -> Int {
        log.split(separator: "\n").filter { $0.contains("] \(role)#") && $0.contains(" registered: ") }.count
    }

    func testAFrozenLearnerGetsEveryWorkerBack() throws {
        try requireFile(FileManager.default.fileExists(atPath: TestPaths.models.appendingPathComponent("vader/vader_lexicon.txt").path),
                        "the VADER lexicon is missing: run `make models`")
        let root = temporaryPath("frozen")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let hosts = root.appendingPathComponent("hosts"), output = root.appendingPathComponent("run"), log = root.appendingPathComponent("launch.log")
        try Data("localhost slots=4\n".utf8).write(to: hosts)
        let launch = try RLHFBinary.start(binary, ["launch", "--hostfile", hosts.path, "--config", config.path, "--output", output.path] + sets,
                                          environment: environment, log: log)
        defer { if launch.isRunning { kill(launch.processIdentifier, SIGKILL) } }
        let deadline = Date().addingTimeInterval(120)
        var learner: pid_t?
        while learner == nil && launch.isRunning && Date() < deadline {
            usleep(50_000)
            if let data = try? Data(contentsOf: output.appendingPathComponent("cluster.json")),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               let processes = object["processes"] as? [[String: Any]],
               let pid = processes.first(where: { $0["role"] as? String == "learner" })?["pid"] as? Int {
                learner = pid_t(pid)
            }
        }
        let pid = try XCTUnwrap(learner, "the launch wrote cluster.json")
        while lines(output) < 2 && launch.isRunning && Date() < deadline { usleep(20_000) }
        XCTAssertEqual(kill(pid, SIGSTOP), 0)
        sleep(12)
        XCTAssertEqual(kill(pid, SIGCONT), 0)
        let text = finish(launch, log: log)
        for role in ["rollout", "reward", "reference"] {
            XCTAssertGreaterThanOrEqual(registrations(role, in: text), 2, "the \(role) worker registered again")
        }
        try assertEmbeddedNumbers(output, root: root)
    }

    func testAWorkerWhoseConnectionIsCutRejoins() throws {
        try requireFile(FileManager.default.fileExists(atPath: TestPaths.models.appendingPathComponent("vader/vader_lexicon.txt").path),
                        "the VADER lexicon is missing: run `make models`")
        let root = temporaryPath("cut")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let output = root.appendingPathComponent("run"), log = root.appendingPathComponent("learner.log")
        let learner = try RLHFBinary.start(binary, ["learner", "--config", config.path, "--output", output.path,
                                                    "--bind", "tcp://127.0.0.1:0", "--insecure"] + sets,
                                           environment: environment, log: log)
        var workers: [Process] = []
        defer { for process in workers + [learner] where process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let endpointFile = output.appendingPathComponent("learner.endpoint"), deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: endpointFile.path) && learner.isRunning && Date() < deadline { usleep(10_000) }
        let endpoint = try String(contentsOf: endpointFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let port = try XCTUnwrap(endpoint.split(separator: ":").last.flatMap { UInt16($0) }, endpoint)
        let proxy = try TCPProxy(to: port)
        for (role, connect) in [("rollout", proxy.endpoint), ("reward", endpoint), ("reference", endpoint)] {
            workers.append(try RLHFBinary.start(binary, ["worker", "--role", role, "--connect", connect, "--insecure"],
                                                environment: environment, log: root.appendingPathComponent("\(role).log")))
        }
        while lines(output) < 2 && learner.isRunning && Date() < deadline { usleep(20_000) }
        proxy.cut()
        sleep(1)
        try proxy.resume()
        let text = finish(learner, log: log)
        XCTAssertGreaterThanOrEqual(proxy.accepted, 2, "the worker connected again through the proxy")
        XCTAssertGreaterThanOrEqual(registrations("rollout", in: text), 2, "the rollout worker registered again")
        try assertEmbeddedNumbers(output, root: root)
    }
}
