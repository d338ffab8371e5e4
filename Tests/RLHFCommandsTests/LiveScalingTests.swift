import Foundation
import TestSupport
import XCTest

/// Live scaling through `rlhf scale` on a launched, keyed cluster of real processes: generators go
/// 1 → 3 → 1 while the run goes on. The launcher issues each new generator a fresh key the learner
/// admits and starts it on a free slot; scaling down drains the newest, which exit 0. `cluster/workers/
/// rollout` follows, `cluster.json` lists every process and key, old and new, and the run holds every
/// iteration once with the values of an unscaled (embedded) run: seeds come from task ids.
final class LiveScalingTests: XCTestCase {
    var binary: URL { RLHFBinary.url(besideBundleOf: Self.self) }

    func testGeneratorsScaleOneToThreeToOneWithTheUnscaledRunsValues() throws {
        try TestPaths.requireVADER()
        let root = temporaryPath("scale")
        defer { try? FileManager.default.removeItem(at: root) }
        let iterations = 160
        let sets = ["iterations=\(iterations)", "eval_every=0", "save_every=0", "roles.rollout=1"].flatMap { ["--set", $0] }
        let run = try LaunchedRun.start(binary, sets, in: root, hostfile: try LaunchedRun.sharedHosts(slots: 8, in: root), waitingFor: 3)
        defer { run.killAll() }
        func generators() -> [Double] { run.metrics.compactMap { $0["cluster/workers/rollout"] } }

        let up = try run.control(["scale", "--rollout", "3"])
        XCTAssertEqual(up.status, 0, up.stderr)
        XCTAssertTrue(up.stdout.contains("rollout: target 3 (was 1)"), up.stdout)
        XCTAssertTrue(run.wait(seconds: 60) { generators().last == 3 }, "three generators take work: \(generators()) \(run.log.suffix(3000))")
        let status = try run.control(["status", "--json"])
        let snapshot = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any], status.stderr)
        XCTAssertEqual(snapshot["targets"] as? [String: Int], ["rollout": 3, "reward": 1, "reference": 1])
        let names = (snapshot["worker_list"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        XCTAssertEqual(Set(names), ["rollout-0", "rollout-1", "rollout-2", "reward-0", "reference-0"])

        let down = try run.control(["scale", "--rollout", "-2"])
        XCTAssertEqual(down.status, 0, down.stderr)
        XCTAssertTrue(down.stdout.contains("draining rollout-1, rollout-2") || down.stdout.contains("draining rollout-2, rollout-1"), down.stdout)
        XCTAssertTrue(run.wait(seconds: 60) {
            let states = run.processes.filter { ["rollout-1", "rollout-2"].contains($0["name"] as? String) }.compactMap { $0["state"] as? String }
            return states == ["stopped", "stopped"]
        }, "the drained generators exit 0 and the launcher frees their slots: \(run.processes)")
        XCTAssertTrue(run.wait(seconds: 60) { generators().last == 1 }, "\(generators())")

        run.process.waitUntilExit()
        XCTAssertEqual(run.process.terminationStatus, 0, String(run.log.suffix(3000)))
        // cluster/workers/rollout followed the scaling: 1, then 3, then 1 again
        let series = generators().reduce(into: [Double]()) { runs, n in if runs.last != n { runs.append(n) } }
        XCTAssertEqual(series.filter { $0 != 2 }, [1, 3, 1], "\(generators())")
        XCTAssertEqual(run.metrics.reduce(0) { $0 + ($1["cluster/samples_trained"] ?? 0) }, Double(iterations * 16), "every batch trained once")
        try run.assertMatchesEmbedded(sets, iterations: iterations)

        // cluster.json: every process, old and new, and every key
        let processes = run.processes
        XCTAssertEqual(processes.compactMap { $0["name"] as? String }.sorted(), ["reference-0", "reward-0", "rollout-0", "rollout-1", "rollout-2"])
        let keys = Set(run.cluster["keys"] as? [String] ?? [])
        for name in ["rollout-1", "rollout-2"] {
            XCTAssertTrue(keys.contains(run.output.appendingPathComponent("keys/\(name)/\(name).key").path), "\(keys)")
            XCTAssertTrue(keys.contains(run.output.appendingPathComponent("keys/learner/\(name).public").path), "the learner kept the admitted key")
        }
        XCTAssertNotNil(run.cluster["monitor_endpoint"] as? String)
        XCTAssertEqual(run.cluster["targets"] as? [String: Int], ["rollout": 1, "reward": 1, "reference": 1])
    }

    /// `rlhf keys issue` for a worker started by hand: a fresh key the learner admits (kept in its folder),
    /// and `rlhf worker --keys FOLDER --name NAME` joins with it; the launcher, which keeps the role at its
    /// target, starts nothing more; the run's numbers do not change.
    func testAKeyIssuedByHandJoinsTheRunningCluster() throws {
        try TestPaths.requireVADER()
        let root = temporaryPath("issue")
        defer { try? FileManager.default.removeItem(at: root) }
        let iterations = 120
        let sets = ["iterations=\(iterations)", "eval_every=0", "save_every=0"].flatMap { ["--set", $0] }
        let run = try LaunchedRun.start(binary, sets, in: root, hostfile: try LaunchedRun.sharedHosts(slots: 8, in: root), waitingFor: 3)
        defer { run.killAll() }
        let issued = try run.control(["keys", "issue", "--role", "reward"])
        XCTAssertEqual(issued.status, 0, issued.stderr)
        XCTAssertTrue(issued.stdout.hasPrefix("issued reward-1: its keys are in \(run.output.path)/keys/reward-1"), issued.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: run.output.appendingPathComponent("keys/learner/reward-1.public").path))
        let endpoint = try XCTUnwrap(run.cluster["endpoint"] as? String)
        let byHand = try RLHFBinary.start(binary, ["worker", "--role", "reward", "--connect", endpoint, "--device", "cpu",
                                                   "--keys", run.output.appendingPathComponent("keys/reward-1").path, "--name", "reward-1"],
                                          environment: TestPaths.environment, log: root.appendingPathComponent("reward-1.log"))
        defer { if byHand.isRunning { kill(byHand.processIdentifier, SIGKILL) } }
        XCTAssertTrue(run.wait(seconds: 60) { run.metrics.last?["cluster/workers/reward"] == 2 }, "the worker started by hand takes work")
        XCTAssertEqual(try run.control(["keys", "issue", "--role", "learner"]).status, 2, "only worker roles")
        run.process.waitUntilExit()
        byHand.waitUntilExit()
        XCTAssertEqual(run.process.terminationStatus, 0, String(run.log.suffix(3000)))
        XCTAssertEqual(byHand.terminationStatus, 0, "the learner stopped it at the run's end")
        XCTAssertEqual(run.processes.filter { ($0["role"] as? String) == "reward" }.count, 1, "the launcher started no other scorer")
        try run.assertMatchesEmbedded(sets, iterations: iterations)
    }
}
