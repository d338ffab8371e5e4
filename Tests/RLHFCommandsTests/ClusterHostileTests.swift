import Foundation
import TestSupport
@testable import Wire
import XCTest
import ZeroMQ

/// Hostile peers against a real `rlhf launch` run: a raw ZeroMQ peer sending each kind of bad frame (on
/// an `--insecure` run), and peers with no keys or unknown keys (on a CurveZMQ run). Each is refused and
/// counted in the metrics, and the run finishes with the embedded run's numbers.
final class ClusterHostileTests: XCTestCase {
    let config = TestPaths.packageRoot.appendingPathComponent("cluster/configs/sentiment-stories260k.yaml")
    let environment = ["RLHF_SHARED": TestPaths.shared.path, "RLHF_MODELS": TestPaths.models.path]
    let sets = ["iterations=12", "eval_every=0", "save_every=0"].flatMap { ["--set", $0] }

    func launch(_ output: URL, insecure: Bool, log: URL) throws -> Process {
        try RLHFBinary.start(RLHFBinary.url(besideBundleOf: Self.self),
                             ["launch", "--hostfile", TestPaths.packageRoot.appendingPathComponent("cluster/hosts-localhost.txt").path,
                              "--config", config.path, "--output", output.path] + sets + (insecure ? ["--insecure"] : []),
                             environment: environment, log: log)
    }

    func waitForEndpoint(_ output: URL, _ process: Process) throws -> String {
        let file = output.appendingPathComponent("learner.endpoint"), deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: file.path) && process.isRunning && Date() < deadline { usleep(10_000) }
        return try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func finish(_ process: Process, log: URL) {
        let deadline = Date().addingTimeInterval(240)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        XCTAssertFalse(process.isRunning)
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        XCTAssertEqual(process.terminationStatus, 0, String(text.suffix(3000)))
    }

    /// Asserts that the run in `output` has the numbers of the embedded `rlhf ppo` with the same config and
    /// settings (wall-clock numbers and the cluster's own counters aside).
    func assertSameNumbersAsTheEmbeddedRun(_ output: URL, root: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let embedded = root.appendingPathComponent("embedded")
        // at the embedded run's own thread count: the numbers do not depend on the learner's core count
        let alone = try RLHFBinary.run(RLHFBinary.url(besideBundleOf: Self.self),
                                       ["ppo", "--config", config.path, "--output", embedded.path] + sets, environment: environment)
        XCTAssertEqual(alone.status, 0, alone.stderr, file: file, line: line)
        let dropping = ["time/", "tokens_per_s", "cluster/"]
        let expected = try RunOutput.metrics(embedded, dropping: dropping), got = try RunOutput.metrics(output, dropping: dropping)
        XCTAssertEqual(got.count, expected.count, file: file, line: line)
        for (e, g) in zip(expected, got) { XCTAssertEqual(g, e, "iteration \(e["iteration"] ?? -1)", file: file, line: line) }
    }

    func lines(_ output: URL) throws -> [[String: Any]] {
        try String(contentsOf: output.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
            .map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    func testEachKindOfHostileFrameIsCountedAndTheRunGoesOn() async throws {
        let root = temporaryPath("hostile")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let output = root.appendingPathComponent("run"), log = root.appendingPathComponent("launch.log")
        let process = try launch(output, insecure: true, log: log)
        defer { if process.isRunning { kill(process.processIdentifier, SIGTERM) } }
        let endpoint = try waitForEndpoint(output, process)
        let context = try ZMQContext()
        let peer = try await DealerEndpoint(DealerConfig(endpoint: endpoint, security: .insecure, name: "hostile"), context: context)
        let register = Register(role: .reward, host: "intruder", pid: 1, device: "cpu",
                                capabilities: WorkerCapabilities(maxRowsPerTask: 1, backends: ["cpu"]))
        let valid = try WireCodec.encode(.register(register), header: WireHeader(worker: 0, sequence: 1))
        var version = valid
        XCTAssertEqual(Array(version[0].prefix(2)), [0x08, 0x01], "the header starts with protocol_version = 1")
        version[0][1] = 0x02
        var role = valid
        XCTAssertEqual(role[1].first, 0x08, "the body starts with the role")
        role[1][1] = 0x09
        try await peer.send([Frame([0xFF, 0xFF]), Frame([1])])                                  // malformed
        try await peer.send(version.map { Frame($0) })                                           // protocol version 2
        try await peer.send(role.map { Frame($0) })                                              // unknown role
        try await peer.send([Frame([UInt8](repeating: 0x08, count: 100 << 10)), Frame([])])       // a 100 KiB header
        try await peer.send(try WireCodec.encode(.heartbeat, header: WireHeader(worker: 0, sequence: 2)).map { Frame($0) })  // stranger
        for _ in 0..<30 { try await peer.send(valid.map { Frame($0) }) }                          // registration flood
        finish(process, log: log)
        await peer.close()
        let metrics = try lines(output)
        XCTAssertEqual(metrics.count, 12)
        let last = try XCTUnwrap(metrics.last)
        for reason in ["malformed", "protocol_version", "unknown_role", "oversized", "stranger", "registration_flood"] {
            XCTAssertGreaterThanOrEqual(last["cluster/refused/\(reason)"] as? Double ?? 0, 1, reason)
        }
        XCTAssertTrue(metrics.allSatisfy { $0["cluster/samples_trained"] as? Double == 16 })
        try assertSameNumbersAsTheEmbeddedRun(output, root: root)
    }

    func testPeersWithoutKeysOrWithUnknownKeysGetNoAnswer() async throws {
        let root = temporaryPath("curve")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let output = root.appendingPathComponent("run"), log = root.appendingPathComponent("launch.log")
        let process = try launch(output, insecure: false, log: log)
        defer { if process.isRunning { kill(process.processIdentifier, SIGTERM) } }
        let endpoint = try waitForEndpoint(output, process)
        let context = try ZMQContext()
        let serverKey = try CurveKeyFile.readPublicKey(from: output.appendingPathComponent("keys/learner/learner.public").path)
        let stranger = try await DealerEndpoint(DealerConfig(endpoint: endpoint, security: .curve(keys: CurveKeyPair.generate(), serverKey: serverKey),
                                                             name: "unknown-key"), context: context)
        let keyless = try await DealerEndpoint(DealerConfig(endpoint: endpoint, security: .insecure, name: "no-keys"), context: context)
        let register = try WireCodec.encode(.register(Register(role: .rollout, host: "intruder", pid: 1, device: "cpu",
                                                               capabilities: WorkerCapabilities(maxRowsPerTask: 1, backends: ["cpu"]))),
                                            header: WireHeader(worker: 0, sequence: 1)).map { Frame($0) }
        try? stranger.post(register)
        try? keyless.post(register)
        // a real worker's key (reward-0's) registering as a generator: refused, it is not that worker
        let impostorPair = try CurveKeyFile.readPair(from: output.appendingPathComponent("keys/reward-0/reward-0.key").path)
        let impostor = try await DealerEndpoint(DealerConfig(endpoint: endpoint, security: .curve(keys: impostorPair, serverKey: serverKey),
                                                             name: "impostor"), context: context)
        try? impostor.post(register)
        finish(process, log: log)
        await impostor.close()
        let answered = await withTaskGroup(of: Bool.self) { group in
            for peer in [stranger, keyless] {
                group.addTask {
                    var iterator = peer.incoming.makeAsyncIterator()
                    return await iterator.next() != nil
                }
            }
            try? await Task.sleep(for: .milliseconds(300))
            await stranger.close()
            await keyless.close()
            var any = false
            for await got in group { any = any || got }
            return any
        }
        XCTAssertFalse(answered, "neither peer heard anything from the learner")
        let metrics = try lines(output)
        XCTAssertEqual(metrics.count, 12)
        XCTAssertGreaterThanOrEqual(metrics.last?["cluster/refused/curve_clients"] as? Double ?? 0, 1)
        XCTAssertGreaterThanOrEqual(metrics.last?["cluster/refused/wrong_key"] as? Double ?? 0, 1, "a key registers only as its own worker")
        XCTAssertEqual(metrics.last?["cluster/workers/rollout"] as? Double, 2, "only the launched generators registered")
        try assertSameNumbersAsTheEmbeddedRun(output, root: root)
    }
}
