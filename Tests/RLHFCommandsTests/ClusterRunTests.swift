import Foundation
import TestSupport
import XCTest

/// The cluster on loopback with real processes: `rlhf learner` and four `rlhf worker`s (2 rollout, 1
/// reward, 1 reference) give the same metrics as the embedded `rlhf ppo` with the same seed.
final class ClusterRunTests: XCTestCase {
    let config = TestPaths.packageRoot.appendingPathComponent("cluster/configs/sentiment-stories260k.yaml")
    let environment = ["RLHF_SHARED": TestPaths.shared.path, "RLHF_MODELS": TestPaths.models.path]
    let settings = ["iterations=3", "eval_every=2", "save_every=0"]

    func start(_ arguments: [String], log: URL) throws -> Process {
        let process = Process()
        process.executableURL = RLHFBinary.url(besideBundleOf: Self.self)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// metrics.jsonl without wall-clock numbers and the cluster's own counters.
    func metrics(_ output: URL) throws -> [[String: Double]] {
        try String(contentsOf: output.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n").map { line in
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return object.compactMapValues { ($0 as? NSNumber)?.doubleValue }
                .filter { !$0.key.hasPrefix("time/") && !$0.key.hasPrefix("cluster/") && $0.key != "tokens_per_s" }
        }
    }

    func testLearnerAndWorkerProcessesGiveTheEmbeddedRun() throws {
        try requireFile(FileManager.default.fileExists(atPath: TestPaths.models.appendingPathComponent("vader/vader_lexicon.txt").path),
                        "the VADER lexicon is missing: run `make models`")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cluster-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let embedded = root.appendingPathComponent("embedded"), cluster = root.appendingPathComponent("cluster")
        let sets = settings.flatMap { ["--set", $0] }
        let alone = try RLHFBinary.run(RLHFBinary.url(besideBundleOf: Self.self),
                                       ["ppo", "--config", config.path, "--output", embedded.path] + sets, environment: environment)
        XCTAssertEqual(alone.status, 0, alone.stderr)

        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let learner = try start(["learner", "--config", config.path, "--output", cluster.path, "--bind", "tcp://127.0.0.1:0",
                                 "--insecure"] + sets, log: root.appendingPathComponent("learner.log"))
        var workers: [Process] = []
        defer { for p in workers + [learner] where p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let endpointFile = cluster.appendingPathComponent("learner.endpoint")
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: endpointFile.path) && learner.isRunning && Date() < deadline { usleep(10_000) }
        let endpoint = try String(contentsOf: endpointFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        for (i, role) in ["rollout", "rollout", "reward", "reference"].enumerated() {
            workers.append(try start(["worker", "--role", role, "--connect", endpoint, "--insecure"],
                                     log: root.appendingPathComponent("worker-\(i)-\(role).log")))
        }
        while learner.isRunning && Date() < deadline { usleep(20_000) }
        XCTAssertFalse(learner.isRunning, "the learner finished in time")
        let log = (try? String(contentsOf: root.appendingPathComponent("learner.log"), encoding: .utf8)) ?? ""
        XCTAssertEqual(learner.terminationStatus, 0, String(log.suffix(3000)))
        let workerDeadline = Date().addingTimeInterval(20)
        while workers.contains(where: \.isRunning) && Date() < workerDeadline { usleep(20_000) }
        XCTAssertTrue(workers.allSatisfy { !$0.isRunning && $0.terminationStatus == 0 }, "every worker stopped when told")
        let expected = try metrics(embedded), got = try metrics(cluster)
        XCTAssertEqual(got.count, expected.count)
        for (e, g) in zip(expected, got) { XCTAssertEqual(e, g, "iteration \(e["iteration"] ?? -1)") }
    }
}
