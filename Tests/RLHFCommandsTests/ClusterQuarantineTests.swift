import Foundation
import TestSupport
import XCTest

/// Bad workers are quarantined, not fatal, with real processes on loopback: workers started with the
/// hidden `--fault` (refusing weights, answering invalid results, failing every task) are quarantined and
/// the run finishes with the sound ones at the embedded run's numbers; a run whose only scorer goes bad
/// stops after the role timeout with a checkpoint, status 3 and one line that names the role.
final class ClusterQuarantineTests: XCTestCase {
    let config = TestPaths.packageRoot.appendingPathComponent("cluster/configs/sentiment-stories260k.yaml")
    let environment = ["RLHF_SHARED": TestPaths.shared.path, "RLHF_MODELS": TestPaths.models.path]
    var binary: URL { RLHFBinary.url(besideBundleOf: Self.self) }

    /// Starts one `rlhf worker` per entry of `workers` (its role and extra flags) against `endpoint`, logs
    /// in `root` (numbered from `first`).
    func startWorkers(_ workers: [(String, [String])], endpoint: String, root: URL, first: Int = 0) throws -> [Process] {
        try workers.enumerated().map { index, worker in
            try RLHFBinary.start(binary, ["worker", "--role", worker.0, "--connect", endpoint, "--insecure"] + worker.1,
                                 environment: environment, log: root.appendingPathComponent("worker-\(first + index)-\(worker.0).log"))
        }
    }

    /// Starts `rlhf learner` (with `extra` flags) into `output` and one `rlhf worker` per entry of
    /// `workers` (its role and extra flags), logs in `root`; returns the learner, every process and the endpoint.
    func startCluster(root: URL, output: URL, sets: [String], extra: [String],
                      workers: [(String, [String])]) throws -> (Process, [Process], String) {
        let learner = try RLHFBinary.start(binary, ["learner", "--config", config.path, "--output", output.path, "--bind", "tcp://127.0.0.1:0",
                                                    "--insecure"] + extra + sets, environment: environment,
                                           log: root.appendingPathComponent("learner.log"))
        let endpointFile = output.appendingPathComponent("learner.endpoint"), deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: endpointFile.path) && learner.isRunning && Date() < deadline { usleep(10_000) }
        let endpoint = try String(contentsOf: endpointFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return (learner, [learner] + (try startWorkers(workers, endpoint: endpoint, root: root)), endpoint)
    }

    /// Waits for `process` (a hang guard of 240 s, about 10x the run).
    func wait(_ process: Process) {
        let deadline = Date().addingTimeInterval(240)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        XCTAssertFalse(process.isRunning, "hang guard: the run ended")
    }

    func testBadWorkersOfEachKindAreQuarantinedAndTheRunGoesOn() throws {
        try requireFile(FileManager.default.fileExists(atPath: TestPaths.models.appendingPathComponent("vader/vader_lexicon.txt").path),
                        "the VADER lexicon is missing: run `make models`")
        let root = temporaryPath("quarantine")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let output = root.appendingPathComponent("run"), embedded = root.appendingPathComponent("embedded")
        let sets = ["iterations=6", "eval_every=0", "save_every=0"].flatMap { ["--set", $0] }
        // the bad ones and one sound generator first: until the bad scorer and referee are quarantined,
        // every score and reference request is theirs; the sound scorer and referee come after (a run
        // where the sound ones were there from the start could give a bad one too few pieces to judge)
        var (learner, all, endpoint) = try startCluster(root: root, output: output, sets: sets, extra: [], workers: [
            ("rollout", ["--fault", "refuse-weights"]), ("reward", ["--fault", "invalid-results"]),
            ("reference", ["--fault", "fail-tasks"]), ("rollout", []),
        ])
        defer { for process in all where process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        func learnerLog() -> String { (try? String(contentsOf: root.appendingPathComponent("learner.log"), encoding: .utf8)) ?? "" }
        let deadline = Date().addingTimeInterval(120)  // a hang guard: the quarantines come within seconds
        while !["rollout", "reward", "reference"].allSatisfy({ learnerLog().contains("quarantined \($0)#") })
                && learner.isRunning && Date() < deadline {
            usleep(50_000)
        }
        all += try startWorkers([("reward", []), ("reference", [])], endpoint: endpoint, root: root, first: 4)
        wait(learner)
        let log = learnerLog()
        XCTAssertEqual(learner.terminationStatus, 0, String(log.suffix(3000)))
        for (role, why) in [("rollout", "refused policy weights"), ("reward", "an invalid reward result"), ("reference", "failed task")] {
            XCTAssertTrue(log.split(separator: "\n").contains { $0.contains("quarantined \(role)#") && $0.contains(why) },
                          "the bad \(role) worker is quarantined for \(why): \(log.suffix(2000))")
        }
        let counters = try RunOutput.metrics(output, dropping: ["time/"])
        XCTAssertEqual(counters.last?["cluster/quarantined"], 3, "three quarantined workers at the end")
        let alone = try RLHFBinary.run(binary, ["ppo", "--config", config.path, "--output", embedded.path] + sets, environment: environment)
        XCTAssertEqual(alone.status, 0, alone.stderr)
        let dropping = ["time/", "tokens_per_s", "cluster/"]
        XCTAssertEqual(try RunOutput.metrics(output, dropping: dropping), try RunOutput.metrics(embedded, dropping: dropping),
                       "the sound workers' numbers are the embedded run's")
    }

    func testARunWhoseOnlyScorerGoesBadStopsWithACheckpointAndOneLine() throws {
        try requireFile(FileManager.default.fileExists(atPath: TestPaths.models.appendingPathComponent("vader/vader_lexicon.txt").path),
                        "the VADER lexicon is missing: run `make models`")
        let root = temporaryPath("lost-role")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let output = root.appendingPathComponent("run")
        let sets = ["iterations=20", "eval_every=0", "save_every=0", "roles.rollout=1"].flatMap { ["--set", $0] }
        // sound for its first 8 answers (2 iterations of 4 tasks), then failing every task
        let (learner, all, _) = try startCluster(root: root, output: output, sets: sets, extra: ["--role-timeout", "3"], workers: [
            ("rollout", []), ("reward", ["--fault", "fail-tasks", "--fault-after", "8"]), ("reference", []),
        ])
        defer { for process in all where process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        wait(learner)
        let log = (try? String(contentsOf: root.appendingPathComponent("learner.log"), encoding: .utf8)) ?? ""
        XCTAssertEqual(learner.terminationStatus, 3, String(log.suffix(3000)))
        let errors = log.split(separator: "\n").filter { $0.hasPrefix("error: ") }
        XCTAssertEqual(errors.count, 1, log)
        let line = String(errors.first ?? "")
        XCTAssertTrue(line.contains("no usable reward worker for 3 s") && line.contains("reward#0 quarantined"), line)
        let metrics = try String(contentsOf: output.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        let checkpoint = "iteration-" + String(format: "%06d", metrics.count)
        XCTAssertGreaterThanOrEqual(metrics.count, 2, "the sound answers trained two iterations")
        XCTAssertTrue(line.contains("checkpoint \(checkpoint) written"), line)
        XCTAssertTrue(FileManager.default.fileExists(atPath: output.appendingPathComponent("checkpoints/\(checkpoint)").path),
                      "the checkpoint of the iterations done")
    }
}
