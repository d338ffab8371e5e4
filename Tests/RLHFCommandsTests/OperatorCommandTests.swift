import ClusterTransport
import Foundation
import TestSupport
import XCTest

/// The operator's control commands against a keyed cluster of real processes on loopback: `rlhf status`
/// reports the workers; `rlhf drain reward-1` drains a scorer mid-run (it finishes what it holds and
/// exits 0; nothing is issued again); `rlhf checkpoint` gets a checkpoint; `rlhf stop` ends the run
/// cleanly after one; a worker's key gets a one-line refusal and exit 2, and so does a learner that is
/// gone. `--run` reads the endpoint and the operator's keys from the run's `cluster.json`.
final class OperatorCommandTests: XCTestCase {
    var binary: URL { RLHFBinary.url(besideBundleOf: Self.self) }

    func testStatusDrainCheckpointAndStopWithTheOperatorKeyOnly() throws {
        try TestPaths.requireVADER()
        let root = temporaryPath("operator")
        defer { try? FileManager.default.removeItem(at: root) }
        let keys = root.appendingPathComponent("keys")
        _ = try ClusterKeys.generate(in: keys, workers: ["rollout-0", "reward-0", "reward-1", "reference-0"])
        let sets = ["iterations=400", "eval_every=0", "save_every=0", "roles.rollout=1"].flatMap { ["--set", $0] }
        let run = try ClusterTestRun(binary: binary, root: root, config: TestPaths.clusterConfig, arguments: sets, keys: keys)
        try run.startWorker("rollout", name: "rollout-0")
        try run.startWorker("reward", name: "reward-0")
        let drained = try run.startWorker("reward", name: "reward-1")
        try run.startWorker("reference", name: "reference-0")
        let connection = ["--connect", run.endpoint, "--keys", ClusterKeys.operatorFolder(in: keys).path]
        func ask(_ arguments: [String]) throws -> RLHFBinary.Run { try RLHFBinary.run(binary, arguments + connection) }

        // status: every worker registered, the run under way
        var status: [String: Any] = [:]
        run.wait(seconds: 60) {
            guard let answer = try? ask(["status", "--json"]), answer.status == 0,
                  let object = try? JSONSerialization.jsonObject(with: Data(answer.stdout.utf8)) as? [String: Any] else { return false }
            status = object
            return (object["workers"] as? [String: Int]) == ["rollout": 1, "reward": 2, "reference": 1] && (object["iteration"] as? Int ?? 0) >= 2
        }
        XCTAssertEqual(status["workers"] as? [String: Int], ["rollout": 1, "reward": 2, "reference": 1], "\(status)")
        XCTAssertEqual(status["iterations"] as? Int, 400)

        // a worker's key has no operator rights: refused in one line, exit 2
        let posing = root.appendingPathComponent("posing")
        try FileManager.default.createDirectory(at: posing, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.copyItem(at: keys.appendingPathComponent("reward-0/reward-0.key"), to: posing.appendingPathComponent("operator.key"))
        try FileManager.default.copyItem(at: keys.appendingPathComponent("reward-0/learner.public"), to: posing.appendingPathComponent("learner.public"))
        for command in [["stop"], ["drain", "reward-0"], ["status"], ["scale", "--rollout", "2"],
                        ["keys", "issue", "--role", "rollout", "--output", root.appendingPathComponent("issued").path]] {
            let refused = try RLHFBinary.run(binary, command + ["--connect", run.endpoint, "--keys", posing.path])
            XCTAssertEqual(refused.status, 2, "\(command): \(refused.stdout) \(refused.stderr)")
            XCTAssertTrue(refused.stderr.contains("no operator rights"), refused.stderr)
            XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
        }

        // drain reward-1: it finishes what it holds and exits 0; the run goes on with reward-0
        let drain = try ask(["drain", "reward-1"])
        XCTAssertEqual(drain.status, 0, drain.stderr)
        XCTAssertTrue(drain.stdout.contains("draining reward-1"), drain.stdout)
        let deadline = Date().addingTimeInterval(60)
        while drained.isRunning && Date() < deadline { usleep(50_000) }
        XCTAssertFalse(drained.isRunning, "the drained scorer exited")
        XCTAssertEqual(drained.terminationStatus, 0, run.log("reward-1"))
        XCTAssertEqual(try ask(["drain", "reward-1"]).status, 2, "a worker that is gone cannot be drained")

        // a checkpoint, then --run with the run's cluster.json: stop after a checkpoint
        XCTAssertEqual(try ask(["checkpoint"]).status, 0)
        let checkpointFolder = run.output.appendingPathComponent("checkpoints")
        XCTAssertTrue(run.wait(seconds: 60) { ((try? FileManager.default.contentsOfDirectory(atPath: checkpointFolder.path)) ?? []).count == 1 },
                      "the operator's checkpoint")
        let cluster: [String: Any] = ["endpoint": run.endpoint, "operator_keys": ClusterKeys.operatorFolder(in: keys).path]
        try JSONSerialization.data(withJSONObject: cluster).write(to: run.output.appendingPathComponent("cluster.json"))
        let stop = try RLHFBinary.run(binary, ["stop", "--run", run.output.path])
        XCTAssertEqual(stop.status, 0, stop.stderr)
        XCTAssertTrue(stop.stdout.contains("then the run stops"), stop.stdout)
        XCTAssertTrue(run.waitForLearner(seconds: 120), "hang guard: the stop ended the run")
        XCTAssertEqual(run.learner.terminationStatus, 0, String(run.learnerLog.suffix(3000)))
        let metrics = try RunOutput.metrics(run.output, dropping: [])
        XCTAssertLessThan(metrics.count, 400, "stopped before its end")
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: run.output.appendingPathComponent("checkpoints").path)
        XCTAssertTrue(checkpoints.contains("iteration-" + String(format: "%06d", metrics.count)), "\(checkpoints)")
        XCTAssertGreaterThanOrEqual(checkpoints.count, 2, "the operator's checkpoint and the stop's: \(checkpoints)")
        XCTAssertEqual(metrics.reduce(0) { $0 + ($1["cluster/leases_reissued"] ?? 0) }, 0, "the drain re-issued nothing")
        XCTAssertEqual(metrics.reduce(0) { $0 + ($1["cluster/dropped/duplicate"] ?? 0) }, 0)

        // a learner that is gone: no answer within the timeout, one line, exit 2
        let gone = try RLHFBinary.run(binary, ["status", "--timeout", "1"] + connection)
        XCTAssertEqual(gone.status, 2, gone.stdout)
        XCTAssertTrue(gone.stderr.contains("no answer from the learner"), gone.stderr)
    }

    func testBadOperatorFlagsAreRefused() throws {
        for arguments in [["status"], ["stop", "--run", "x", "--connect", "tcp://127.0.0.1:1"], ["checkpoint", "--connect", "tcp://127.0.0.1:1"],
                          ["drain", "--run", "x", "worker-0"], ["drain", "--run", "x", "reward-01"], ["status", "--run", "x", "--timeout", "nan"],
                          ["stop", "--connect", "tcp://*:1", "--keys", "x"], ["status", "--run", "/nonexistent/run"]] {
            let r = try RLHFBinary.run(binary, arguments)
            XCTAssertEqual(r.status, 2, "\(arguments): \(r.stdout) \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "\(arguments): \(r.stderr)")
        }
    }
}
