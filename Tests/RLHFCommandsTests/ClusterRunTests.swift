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
        try RLHFBinary.start(RLHFBinary.url(besideBundleOf: Self.self), arguments, environment: environment, log: log)
    }

    /// `rlhf ppo` with `sets` into `output`; it must succeed.
    func runEmbedded(_ sets: [String], output: URL) throws {
        let alone = try RLHFBinary.run(RLHFBinary.url(besideBundleOf: Self.self),
                                       ["ppo", "--config", config.path, "--output", output.path] + sets, environment: environment)
        XCTAssertEqual(alone.status, 0, alone.stderr)
    }

    /// `rlhf learner` with `sets` into `cluster` and then an `rlhf worker` of each of `roles`, all on
    /// loopback with `--insecure`, their logs in `root` (`learner.log`, `worker-I-ROLE.log`).
    func startProcesses(_ sets: [String], cluster: URL, root: URL, roles: [String], deadline: Date) throws -> (Process, [Process]) {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let learner = try start(["learner", "--config", config.path, "--output", cluster.path, "--bind", "tcp://127.0.0.1:0",
                                 "--insecure"] + sets, log: root.appendingPathComponent("learner.log"))
        let endpointFile = cluster.appendingPathComponent("learner.endpoint")
        while !FileManager.default.fileExists(atPath: endpointFile.path) && learner.isRunning && Date() < deadline { usleep(10_000) }
        let endpoint: String
        do { endpoint = try String(contentsOf: endpointFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) } catch {
            kill(learner.processIdentifier, SIGKILL)  // it never said where it listens
            throw error
        }
        let workers = try roles.enumerated().map { i, role in
            try start(["worker", "--role", role, "--connect", endpoint, "--insecure"], log: root.appendingPathComponent("worker-\(i)-\(role).log"))
        }
        return (learner, workers)
    }

    /// metrics.jsonl without wall-clock numbers and the cluster's own counters.
    func metrics(_ output: URL) throws -> [[String: Double]] {
        try RunOutput.metrics(output, dropping: ["time/", "tokens_per_s", "cluster/"])
    }

    func testLearnerAndWorkerProcessesGiveTheEmbeddedRun() throws {
        let root = temporaryPath("cluster")
        defer { try? FileManager.default.removeItem(at: root) }
        try assertProcessesGiveTheEmbeddedRun(settings, root: root)
    }

    /// `rlhf ppo` and `rlhf learner` with 2 rollout, 1 reward and 1 reference `rlhf worker`s, both with
    /// `settings`, into `root`: the learner and every worker end well, and the metrics are equal.
    func assertProcessesGiveTheEmbeddedRun(_ settings: [String], root: URL) throws {
        try requireFile(FileManager.default.fileExists(atPath: TestPaths.models.appendingPathComponent("vader/vader_lexicon.txt").path),
                        "the VADER lexicon is missing: run `make models`")
        let embedded = root.appendingPathComponent("embedded"), cluster = root.appendingPathComponent("cluster")
        let sets = settings.flatMap { ["--set", $0] }
        try runEmbedded(sets, output: embedded)
        let deadline = Date().addingTimeInterval(120)
        let (learner, workers) = try startProcesses(sets, cluster: cluster, root: root, roles: ["rollout", "rollout", "reward", "reference"],
                                                    deadline: deadline)
        defer { for p in workers + [learner] where p.isRunning { kill(p.processIdentifier, SIGKILL) } }
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

    /// `max_staleness: 1` across processes gives the embedded run's numbers too, and a rollout worker
    /// sent SIGTERM mid-run drains: it finishes the work it holds, the learner stops it, and no lease is
    /// issued again or result dropped.
    func testRunningAheadAcrossProcessesAndADrainedWorker() throws {
        try requireFile(FileManager.default.fileExists(atPath: TestPaths.models.appendingPathComponent("vader/vader_lexicon.txt").path),
                        "the VADER lexicon is missing: run `make models`")
        let root = temporaryPath("drain")
        defer { try? FileManager.default.removeItem(at: root) }
        let embedded = root.appendingPathComponent("embedded"), cluster = root.appendingPathComponent("cluster")
        let sets = ["iterations=8", "eval_every=4", "save_every=0", "max_staleness=1"].flatMap { ["--set", $0] }
        try runEmbedded(sets, output: embedded)
        let deadline = Date().addingTimeInterval(180)
        let (learner, workers) = try startProcesses(sets, cluster: cluster, root: root,
                                                    roles: ["rollout", "rollout", "rollout", "reward", "reference"], deadline: deadline)
        defer { for p in workers + [learner] where p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        func lines() -> Int {
            ((try? String(contentsOf: cluster.appendingPathComponent("metrics.jsonl"), encoding: .utf8)) ?? "").split(separator: "\n").count
        }
        while lines() < 3 && learner.isRunning && Date() < deadline { usleep(20_000) }
        XCTAssertTrue(learner.isRunning, "drained in the middle of the run")
        XCTAssertEqual(kill(workers[0].processIdentifier, SIGTERM), 0)
        let drainDeadline = Date().addingTimeInterval(60)
        while workers[0].isRunning && Date() < drainDeadline { usleep(20_000) }
        XCTAssertFalse(workers[0].isRunning, "the drained worker stopped")
        XCTAssertEqual(workers[0].terminationStatus, 0)
        let drainedLog = (try? String(contentsOf: root.appendingPathComponent("worker-0-rollout.log"), encoding: .utf8)) ?? ""
        XCTAssertTrue(drainedLog.contains("draining") && drainedLog.contains("stopped by the learner"), drainedLog)

        while learner.isRunning && Date() < deadline { usleep(20_000) }
        let log = (try? String(contentsOf: root.appendingPathComponent("learner.log"), encoding: .utf8)) ?? ""
        XCTAssertEqual(learner.terminationStatus, 0, String(log.suffix(3000)))
        let counters = try RunOutput.metrics(cluster, dropping: ["time/"])
        XCTAssertEqual(counters.dropLast().map { $0["cluster/leases_reissued"] }, Array(repeating: 0, count: 8))
        for reason in ["duplicate", "late", "unknown", "invalid", "other_incarnation", "wrong_version"] {
            XCTAssertEqual(counters.dropLast().map { $0["cluster/dropped/\(reason)"] }, Array(repeating: 0, count: 8), reason)
        }
        XCTAssertEqual(counters.dropLast().map { $0["cluster/version_lag_max"] }, [0] + Array(repeating: 1, count: 7))
        XCTAssertEqual(counters.last?["cluster/workers/rollout"] ?? counters[counters.count - 2]["cluster/workers/rollout"], 2)
        let expected = try metrics(embedded), got = try metrics(cluster)
        XCTAssertEqual(got.count, expected.count)
        for (e, g) in zip(expected, got) { XCTAssertEqual(e, g, "iteration \(e["iteration"] ?? -1)") }
    }

    /// SIGTERM to `rlhf launch` stops the run after its current iteration with a checkpoint: the
    /// launcher exits 143, every process it started is gone, and the metrics end at the checkpoint.
    func testSIGTERMToTheLauncherStopsTheRunWithACheckpoint() throws {
        try requireFile(FileManager.default.fileExists(atPath: TestPaths.models.appendingPathComponent("vader/vader_lexicon.txt").path),
                        "the VADER lexicon is missing: run `make models`")
        let root = temporaryPath("stop")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let launched = root.appendingPathComponent("launched")
        let hosts = TestPaths.packageRoot.appendingPathComponent("cluster/hosts-localhost.txt")
        let sets = ["iterations=40", "eval_every=0", "save_every=0"].flatMap { ["--set", $0] }
        let launch = try start(["launch", "--hostfile", hosts.path, "--config", config.path, "--output", launched.path, "--insecure"] + sets,
                               log: root.appendingPathComponent("launch.log"))
        defer { if launch.isRunning { kill(launch.processIdentifier, SIGKILL) } }
        func lines() -> Int {
            ((try? String(contentsOf: launched.appendingPathComponent("metrics.jsonl"), encoding: .utf8)) ?? "").split(separator: "\n").count
        }
        let deadline = Date().addingTimeInterval(180)
        while lines() < 2 && launch.isRunning && Date() < deadline { usleep(20_000) }
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: launched.appendingPathComponent("cluster.json"))) as? [String: Any]
        let pids = try XCTUnwrap(object?["processes"] as? [[String: Any]]).compactMap { $0["pid"] as? Int }
        XCTAssertEqual(pids.count, 5)
        XCTAssertEqual(kill(launch.processIdentifier, SIGTERM), 0)
        while launch.isRunning && Date() < deadline { usleep(20_000) }
        let log = (try? String(contentsOf: root.appendingPathComponent("launch.log"), encoding: .utf8)) ?? ""
        XCTAssertFalse(launch.isRunning)
        XCTAssertEqual(launch.terminationStatus, 143, String(log.suffix(2000)))
        XCTAssertTrue(pids.allSatisfy { kill(pid_t($0), 0) != 0 }, "every process the launcher started is gone")
        let saved = PPOCheckpointFolders.iterations(in: launched)
        XCTAssertEqual(saved.count, 1, "\(saved)")
        let last = try XCTUnwrap(saved.last)
        XCTAssertLessThan(last, 40)
        XCTAssertEqual(lines(), last, "the metrics end at the checkpoint")
    }

    func testLaunchFromAHostFileWithCurveKeysGivesTheEmbeddedRun() throws {
        try requireFile(FileManager.default.fileExists(atPath: TestPaths.models.appendingPathComponent("vader/vader_lexicon.txt").path),
                        "the VADER lexicon is missing: run `make models`")
        let root = temporaryPath("launch")
        defer { try? FileManager.default.removeItem(at: root) }
        let embedded = root.appendingPathComponent("embedded"), launched = root.appendingPathComponent("launched")
        let sets = settings.flatMap { ["--set", $0] }
        let binary = RLHFBinary.url(besideBundleOf: Self.self)
        let hosts = TestPaths.packageRoot.appendingPathComponent("cluster/hosts-localhost.txt")
        let run = try RLHFBinary.run(binary, ["launch", "--hostfile", hosts.path, "--config", config.path, "--output", launched.path] + sets,
                                     environment: environment)
        XCTAssertEqual(run.status, 0, String(run.stderr.suffix(3000)))
        XCTAssertTrue(run.stdout.contains("learner#0@localhost slot 0"), run.stdout)
        XCTAssertTrue(run.stderr.contains("[rollout#1@localhost]"), "worker lines are forwarded with their prefix")
        XCTAssertFalse(run.stderr.contains("INSECURE"), "CurveZMQ is on by default")
        let cluster = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: launched.appendingPathComponent("cluster.json"))) as? [String: Any])
        let processes = try XCTUnwrap(cluster["processes"] as? [[String: Any]])
        // the embedded run at its own thread count (all cores) against a learner pinned to a share of them
        let alone = try RLHFBinary.run(binary, ["ppo", "--config", config.path, "--output", embedded.path] + sets,
                                       environment: environment)
        XCTAssertEqual(alone.status, 0, alone.stderr)
        let expected = try metrics(embedded), got = try metrics(launched)
        XCTAssertEqual(got.count, expected.count)
        for (e, g) in zip(expected, got) { XCTAssertEqual(e, g, "iteration \(e["iteration"] ?? -1)") }
        XCTAssertEqual(processes.compactMap { $0["role"] as? String }, ["learner", "rollout", "rollout", "reward", "reference"])
        XCTAssertTrue(processes.allSatisfy { ($0["device"] as? String)?.hasPrefix("cpu:") ?? false })
        let keys = launched.appendingPathComponent("keys")
        for secret in ["learner/learner.key", "rollout-0/rollout-0.key"] {
            let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: keys.appendingPathComponent(secret).path)[.posixPermissions] as? Int)
            XCTAssertEqual(mode & 0o077, 0, "\(secret) is readable by the user only")
        }
        // least privilege: a worker's folder (and the operator's) holds its own secret and the learner's
        // public key, nothing else; cluster.json says where the operator's is
        for name in ["rollout-0", "rollout-1", "reward-0", "reference-0", "operator"] {
            let files = try FileManager.default.contentsOfDirectory(atPath: keys.appendingPathComponent(name).path).sorted()
            XCTAssertEqual(files, ["\(name).key", "learner.public"].sorted(), name)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: keys.appendingPathComponent("learner").path)
                        .filter { $0.hasSuffix(".key") }, ["learner.key"], "the learner's folder holds no worker's secret")
        XCTAssertTrue(FileManager.default.fileExists(atPath: keys.appendingPathComponent("learner/operator.public").path))
        XCTAssertEqual(cluster["operator_keys"] as? String, keys.appendingPathComponent("operator").path)
        XCTAssertEqual(cluster["endpoint"] as? String, processes.first?["endpoint"] as? String)
    }

    func testKilledWorkersOfEachRoleDoNotStopTheRunOrChangeItsNumbers() throws {
        try requireFile(FileManager.default.fileExists(atPath: TestPaths.models.appendingPathComponent("vader/vader_lexicon.txt").path),
                        "the VADER lexicon is missing: run `make models`")
        let root = temporaryPath("kill")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let hosts = root.appendingPathComponent("hosts")
        try Data("localhost slots=7\n".utf8).write(to: hosts)
        let launched = root.appendingPathComponent("launched"), embedded = root.appendingPathComponent("embedded")
        let sets = ["iterations=24", "eval_every=0", "save_every=0", "roles.reward=2", "roles.reference=2"].flatMap { ["--set", $0] }
        let launch = try start(["launch", "--hostfile", hosts.path, "--config", config.path, "--output", launched.path] + sets,
                               log: root.appendingPathComponent("launch.log"))
        defer { if launch.isRunning { kill(launch.processIdentifier, SIGTERM) } }
        let deadline = Date().addingTimeInterval(240)
        func lines() -> Int {
            ((try? String(contentsOf: launched.appendingPathComponent("metrics.jsonl"), encoding: .utf8)) ?? "").split(separator: "\n").count
        }
        var processes: [[String: Any]] = []
        while processes.isEmpty && launch.isRunning && Date() < deadline {
            usleep(50_000)
            if let data = try? Data(contentsOf: launched.appendingPathComponent("cluster.json")),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
                processes = object["processes"] as? [[String: Any]] ?? []
            }
        }
        // one of each role, killed with SIGKILL after iterations 4, 10 and 16
        for (role, after) in [("rollout", 4), ("reward", 10), ("reference", 16)] {
            while lines() < after && launch.isRunning && Date() < deadline { usleep(20_000) }
            let victim = try XCTUnwrap(processes.first { $0["role"] as? String == role }?["pid"] as? Int)
            XCTAssertEqual(kill(pid_t(victim), SIGKILL), 0, "kill \(role)")
        }
        while launch.isRunning && Date() < deadline { usleep(50_000) }
        XCTAssertFalse(launch.isRunning, "the run finished")
        let log = (try? String(contentsOf: root.appendingPathComponent("launch.log"), encoding: .utf8)) ?? ""
        XCTAssertEqual(launch.terminationStatus, 0, String(log.suffix(3000)))
        // the learner noticed: a worker dead of silence, a message to it that found its connection closed,
        // or (the launcher starts a killed worker again under its key at once) its new connection replacing the old one
        XCTAssertTrue(log.contains("is dead") || log.contains("found its connection closed") || log.contains("connected again"),
                      "the learner noticed")
        XCTAssertTrue(log.contains("killed by signal 9: starting it again"), "the launcher started the killed workers again")
        let trained = try String(contentsOf: launched.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
            .map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertEqual(trained.count, 24)
        XCTAssertTrue(trained.allSatisfy { $0["cluster/samples_trained"] as? Double == 16 }, "every prompt of every iteration once")
        XCTAssertGreaterThan(trained.reduce(0) { $0 + ($1["cluster/leases_issued"] as? Double ?? 0) }, 24 * 12, "some leases went out again")

        let alone = try RLHFBinary.run(RLHFBinary.url(besideBundleOf: Self.self),
                                       ["ppo", "--config", config.path, "--output", embedded.path] + sets, environment: environment)
        XCTAssertEqual(alone.status, 0, alone.stderr)
        let expected = try metrics(embedded), got = try metrics(launched)
        for (e, g) in zip(expected, got) { XCTAssertEqual(e, g, "iteration \(e["iteration"] ?? -1)") }
    }
}

/// A LoRA run across processes: the learner publishes the adapter alone (its versions are the adapter's
/// bytes, not the model's), each generator merges it into the base it loaded, and the run gives the
/// embedded LoRA run's numbers, bit for bit.
extension ClusterRunTests {
    func testALoRARunsGeneratorsMergeThePublishedAdapterAndGiveTheEmbeddedRun() throws {
        let root = temporaryPath("cluster-lora")
        defer { try? FileManager.default.removeItem(at: root) }
        try assertProcessesGiveTheEmbeddedRun(settings + ["lora.rank=4", "lora.targets=q_proj,v_proj,o_proj"], root: root)
        // stories260K: 5 layers of dim 64, 8 heads of 8 and 4 KV heads: q and o are 64 × 64, v is 32 × 64;
        // each projection has A [4, 64] and B [rows, 4]
        let adapterBytes = 5 * ((4 * 64 + 64 * 4) + (4 * 64 + 32 * 4) + (4 * 64 + 64 * 4)) * 4
        let counters = try RunOutput.metrics(root.appendingPathComponent("cluster"), dropping: [])
        XCTAssertEqual(counters.compactMap { $0["cluster/weights/version_bytes"] }.max(), Double(adapterBytes), "only the adapter is published")
    }
}
