import Foundation
import TestSupport
import XCTest

/// Bad workers are quarantined, not fatal, with real processes on loopback: workers started with the
/// hidden `--fault` (refusing weights, answering invalid results, failing every task) are quarantined and
/// the run finishes with the sound ones at the embedded run's numbers; a run whose only scorer goes bad
/// stops after the role timeout with a checkpoint, status 3 and one line that names the role.
final class ClusterQuarantineTests: XCTestCase {
    var binary: URL { RLHFBinary.url(besideBundleOf: Self.self) }

    func testBadWorkersOfEachKindAreQuarantinedAndTheRunGoesOn() throws {
        try TestPaths.requireVADER()
        let root = temporaryPath("quarantine")
        defer { try? FileManager.default.removeItem(at: root) }
        let embedded = root.appendingPathComponent("embedded")
        let sets = ["iterations=6", "eval_every=0", "save_every=0"].flatMap { ["--set", $0] }
        let run = try ClusterTestRun(binary: binary, root: root, config: TestPaths.clusterConfig, arguments: sets)
        // the bad ones and one sound generator first: until the bad scorer and referee are quarantined,
        // every score and reference request is theirs; the sound scorer and referee come after (a run
        // where the sound ones were there from the start could give a bad one too few pieces to judge)
        for (role, fault) in [("rollout", "refuse-weights"), ("reward", "invalid-results"), ("reference", "fail-tasks")] {
            try run.startWorker(role, arguments: ["--fault", fault])
        }
        try run.startWorker("rollout")
        // a hang guard: the quarantines come within seconds
        run.wait(seconds: 120) { ["rollout", "reward", "reference"].allSatisfy { run.learnerLog.contains("quarantined \($0)#") } }
        try run.startWorker("reward")
        try run.startWorker("reference")
        XCTAssertTrue(run.waitForLearner(), "hang guard: the run ended")
        let log = run.learnerLog
        XCTAssertEqual(run.learner.terminationStatus, 0, String(log.suffix(3000)))
        for (role, why) in [("rollout", "refused policy weights"), ("reward", "an invalid reward result"), ("reference", "failed task")] {
            XCTAssertTrue(log.split(separator: "\n").contains { $0.contains("quarantined \(role)#") && $0.contains(why) },
                          "the bad \(role) worker is quarantined for \(why): \(log.suffix(2000))")
        }
        let counters = try RunOutput.metrics(run.output, dropping: ["time/"])
        XCTAssertEqual(counters.last?["cluster/quarantined"], 3, "three quarantined workers at the end")
        let alone = try RLHFBinary.run(binary, ["ppo", "--config", TestPaths.clusterConfig.path, "--output", embedded.path] + sets,
                                       environment: TestPaths.environment)
        XCTAssertEqual(alone.status, 0, alone.stderr)
        let dropping = ["time/", "tokens_per_s", "cluster/"]
        XCTAssertEqual(try RunOutput.metrics(run.output, dropping: dropping), try RunOutput.metrics(embedded, dropping: dropping),
                       "the sound workers' numbers are the embedded run's")
    }

    func testARunWhoseOnlyScorerGoesBadStopsWithACheckpointAndOneLine() throws {
        try TestPaths.requireVADER()
        let root = temporaryPath("lost-role")
        defer { try? FileManager.default.removeItem(at: root) }
        let sets = ["iterations=20", "eval_every=0", "save_every=0", "roles.rollout=1"].flatMap { ["--set", $0] }
        let run = try ClusterTestRun(binary: binary, root: root, config: TestPaths.clusterConfig, arguments: ["--role-timeout", "3"] + sets)
        try run.startWorker("rollout")
        // sound for its first 8 answers (2 iterations of 4 tasks), then failing every task
        try run.startWorker("reward", arguments: ["--fault", "fail-tasks", "--fault-after", "8"])
        try run.startWorker("reference")
        XCTAssertTrue(run.waitForLearner(), "hang guard: the run ended")
        let log = run.learnerLog
        XCTAssertEqual(run.learner.terminationStatus, 3, String(log.suffix(3000)))
        let errors = log.split(separator: "\n").filter { $0.hasPrefix("error: ") }
        XCTAssertEqual(errors.count, 1, log)
        let line = String(errors.first ?? "")
        XCTAssertTrue(line.contains("no usable reward worker for 3 s") && line.contains("reward#0 quarantined"), line)
        let metrics = try String(contentsOf: run.output.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        let checkpoint = "iteration-" + String(format: "%06d", metrics.count)
        XCTAssertGreaterThanOrEqual(metrics.count, 2, "the sound answers trained two iterations")
        XCTAssertTrue(line.contains("checkpoint \(checkpoint) written"), line)
        XCTAssertTrue(FileManager.default.fileExists(atPath: run.output.appendingPathComponent("checkpoints/\(checkpoint)").path),
                      "the checkpoint of the iterations done")
    }
}
