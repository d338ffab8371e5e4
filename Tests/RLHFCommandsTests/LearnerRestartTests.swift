import Foundation
import TestSupport
import XCTest

/// A learner killed with `kill -9` mid-run, then `rlhf launch --resume DIR`: the launcher leaves the
/// workers waiting and exits 3 with the line that says how to continue; the resumed launch starts a new
/// learner on the same port and keys from the newest checkpoint, the workers still running rejoin by
/// themselves (none is started again), and every iteration appears once with the uninterrupted
/// (embedded) run's values. A `kill -9` of `rlhf launch` itself leaves the learner and workers running;
/// `--resume` adopts the learner, and the run ends the same way.
final class LearnerRestartTests: XCTestCase {
    var binary: URL { RLHFBinary.url(besideBundleOf: Self.self) }

    func testAKilledLearnerIsResumedAndTheWorkersRejoin() throws {
        try TestPaths.requireVADER()
        let root = temporaryPath("restart")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let output = root.appendingPathComponent("run"), embedded = root.appendingPathComponent("embedded")
        let sets = ["iterations=12", "eval_every=0", "save_every=3"].flatMap { ["--set", $0] }
        let hosts = TestPaths.packageRoot.appendingPathComponent("cluster/hosts-localhost.txt")
        let launch = try RLHFBinary.start(binary, ["launch", "--hostfile", hosts.path, "--config", TestPaths.clusterConfig.path,
                                                   "--output", output.path] + sets,
                                          environment: TestPaths.environment, log: root.appendingPathComponent("launch.log"))
        var workers: [Int32] = []
        defer {
            if launch.isRunning { kill(launch.processIdentifier, SIGKILL) }
            for pid in workers { kill(pid, SIGKILL) }
        }
        func metricsLines() -> Int {
            ((try? String(contentsOf: output.appendingPathComponent("metrics.jsonl"), encoding: .utf8)) ?? "").split(separator: "\n").count
        }
        var deadline = Date().addingTimeInterval(180)
        while metricsLines() < 7 && launch.isRunning && Date() < deadline { usleep(20_000) }
        let cluster = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("cluster.json"))) as? [String: Any])
        let processes = try XCTUnwrap(cluster["processes"] as? [[String: Any]])
        let learnerPID = try XCTUnwrap(processes.first?["pid"] as? Int)
        workers = processes.dropFirst().compactMap { ($0["pid"] as? Int).map(Int32.init) }
        XCTAssertEqual(workers.count, 4)
        kill(pid_t(learnerPID), SIGKILL)
        deadline = Date().addingTimeInterval(60)
        while launch.isRunning && Date() < deadline { usleep(20_000) }
        let launchLog = (try? String(contentsOf: root.appendingPathComponent("launch.log"), encoding: .utf8)) ?? ""
        XCTAssertEqual(launch.terminationStatus, 3, String(launchLog.suffix(2000)))
        XCTAssertTrue(launchLog.contains("continue the run with rlhf launch --resume"), String(launchLog.suffix(2000)))
        XCTAssertTrue(workers.allSatisfy { kill($0, 0) == 0 }, "the workers wait for a new learner")

        let started = Date()
        let resumed = try RLHFBinary.run(binary, ["launch", "--resume", output.path], environment: TestPaths.environment)
        XCTAssertEqual(resumed.status, 0, String(resumed.stderr.suffix(3000)))
        let after = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("cluster.json"))) as? [String: Any])
        let rejoined = (after["processes"] as? [[String: Any]] ?? []).filter { $0["rejoined"] as? Bool == true }.compactMap { $0["pid"] as? Int }
        XCTAssertEqual(Set(rejoined.map(Int32.init)), Set(workers), "every worker rejoined; none was started again")
        print("resumed run: \(Date().timeIntervalSince(started)) s for the rest of the iterations")

        let alone = try RLHFBinary.run(binary, ["ppo", "--config", TestPaths.clusterConfig.path, "--output", embedded.path] + sets,
                                       environment: TestPaths.environment)
        XCTAssertEqual(alone.status, 0, alone.stderr)
        let dropping = ["time/", "tokens_per_s", "cluster/"]
        let got = try RunOutput.metrics(output, dropping: dropping), expected = try RunOutput.metrics(embedded, dropping: dropping)
        XCTAssertEqual(got.compactMap { $0["iteration"] }, (0..<12).map(Double.init), "every iteration once")
        XCTAssertEqual(got, expected, "the uninterrupted run's values")
    }

    func testAKilledLauncherIsAdoptedByItsResume() throws {
        try TestPaths.requireVADER()
        let root = temporaryPath("adopt")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let output = root.appendingPathComponent("run"), embedded = root.appendingPathComponent("embedded")
        let sets = ["iterations=30", "eval_every=0", "save_every=5"].flatMap { ["--set", $0] }
        let hosts = TestPaths.packageRoot.appendingPathComponent("cluster/hosts-localhost.txt")
        let launch = try RLHFBinary.start(binary, ["launch", "--hostfile", hosts.path, "--config", TestPaths.clusterConfig.path,
                                                   "--output", output.path] + sets,
                                          environment: TestPaths.environment, log: root.appendingPathComponent("launch.log"))
        var pids: [Int32] = []
        defer {
            if launch.isRunning { kill(launch.processIdentifier, SIGKILL) }
            for pid in pids { kill(pid, SIGKILL) }
        }
        let metricsFile = output.appendingPathComponent("metrics.jsonl")
        let deadline = Date().addingTimeInterval(180)
        while ((try? String(contentsOf: metricsFile, encoding: .utf8)) ?? "").split(separator: "\n").count < 3 && launch.isRunning
                && Date() < deadline { usleep(20_000) }
        let cluster = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("cluster.json"))) as? [String: Any])
        pids = (cluster["processes"] as? [[String: Any]] ?? []).compactMap { ($0["pid"] as? Int).map(Int32.init) }
        XCTAssertEqual(pids.count, 5)
        kill(launch.processIdentifier, SIGKILL)
        launch.waitUntilExit()
        usleep(500_000)
        XCTAssertTrue(pids.allSatisfy { kill($0, 0) == 0 }, "the learner and the workers go on without their launcher")

        let resumed = try RLHFBinary.run(binary, ["launch", "--resume", output.path], environment: TestPaths.environment)
        XCTAssertEqual(resumed.status, 0, String(resumed.stderr.suffix(3000)))
        XCTAssertTrue(resumed.stdout.contains("adopting it"), resumed.stdout)
        let alone = try RLHFBinary.run(binary, ["ppo", "--config", TestPaths.clusterConfig.path, "--output", embedded.path] + sets,
                                       environment: TestPaths.environment)
        XCTAssertEqual(alone.status, 0, alone.stderr)
        let dropping = ["time/", "tokens_per_s", "cluster/"]
        let got = try RunOutput.metrics(output, dropping: dropping)
        XCTAssertEqual(got.compactMap { $0["iteration"] }, (0..<30).map(Double.init), "every iteration once")
        XCTAssertEqual(got, try RunOutput.metrics(embedded, dropping: dropping), "the uninterrupted run's values")
    }
}
