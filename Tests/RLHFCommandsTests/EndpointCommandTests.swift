import Foundation
import TestSupport
import XCTest
import ZeroMQ

/// Endpoints and key files, through the binary: ports are checked before libzmq sees them, a key file must
/// be a regular file (a FIFO there used to block forever), and a worker whose learner does not answer says
/// so after `--connect-timeout` and keeps trying, until `--learner-timeout`, when it stops with status 3.
final class EndpointCommandTests: XCTestCase {
    private var h: HostileHarness!
    private static let config = TestPaths.packageRoot.appendingPathComponent("cluster/configs/sentiment-stories260k.yaml")

    override func setUpWithError() throws { h = try HostileHarness(for: Self.self) }
    override func tearDownWithError() throws { h.tearDown() }

    // Root cause: --bind tcp://*:99999 listened on port 34463; endpoints were checked by their prefix only.
    func testPortsAndEndpointsAreChecked() throws {
        let out = h.scratch.appendingPathComponent("run").path
        for bind in ["tcp://*:99999", "tcp://*:-1", "tcp://*:65536", "tcp://*:5555x", "tcp://:5555", "tcp://127.0.0.1"] {
            try h.assertRefused(["learner", "--config", Self.config.path, "--bind", bind, "--insecure", "--output", out], mentions: ["--bind"])
        }
        for connect in ["tcp://127.0.0.1:99999", "tcp://127.0.0.1:0", "tcp://*:5555", "udp://host:1"] {
            try h.assertRefused(["worker", "--role", "rollout", "--connect", connect, "--insecure"], mentions: ["--connect"])
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    // Root cause: a FIFO among the key files blocked the learner or a worker forever.
    func testAFIFOWhereAKeyGoesIsRefused() throws {
        let keys = h.scratch.appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        for name in ["learner.key", "learner.public", "rollout-0.key"] { XCTAssertEqual(mkfifo(keys.appendingPathComponent(name).path, 0o600), 0) }
        try h.assertRefused(["learner", "--config", Self.config.path, "--bind", "tcp://127.0.0.1:0", "--keys", keys.path,
                             "--output", h.scratch.appendingPathComponent("run").path], mentions: ["learner.key", "regular file"], untouched: [keys])
        try h.assertRefused(["worker", "--role", "rollout", "--connect", "tcp://127.0.0.1:5555", "--keys", keys.path, "--name", "rollout-0"],
                            mentions: ["regular file"], untouched: [keys])
    }

    // Root cause: an unreachable or unresolvable learner left the worker waiting forever without a word.
    func testAnUnansweredWorkerSaysSoAndKeepsTrying() throws {
        for connect in ["tcp://127.0.0.1:9", "tcp://no-such-host.invalid:5555"] {
            let log = h.scratch.appendingPathComponent("worker.log")
            let worker = try RLHFBinary.start(h.binary, ["worker", "--role", "rollout", "--connect", connect, "--insecure", "--connect-timeout", "1"],
                                              environment: [:], log: log)
            let deadline = Date().addingTimeInterval(30)  // a hang guard; the first report comes after 1 s
            var text = ""
            while Date() < deadline && !text.contains("no answer from the learner") {
                usleep(100_000)
                text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            }
            XCTAssertTrue(worker.isRunning, "the worker keeps trying: \(text)")
            kill(worker.processIdentifier, SIGKILL)
            worker.waitUntilExit()
            XCTAssertTrue(text.contains("no answer from the learner at \(connect)"), text)
            if connect.contains("invalid") { XCTAssertTrue(text.contains("does not resolve"), text) }
        }
    }

    // Root cause: a worker whose learner never came (or was gone for good) waited forever.
    func testAWorkerWithoutALearnerStopsWithStatus3AfterTheLearnerTimeout() throws {
        let run = try RLHFBinary.run(h.binary, ["worker", "--role", "reward", "--connect", "tcp://127.0.0.1:9", "--insecure",
                                                "--connect-timeout", "1", "--learner-timeout", "2"])
        XCTAssertEqual(run.status, 3, run.stderr)
        let errors = run.stderr.split(separator: "\n").filter { $0.hasPrefix("error: ") }
        XCTAssertEqual(errors.count, 1, run.stderr)
        XCTAssertTrue(errors.first?.contains("nothing from the learner for 2 s (--learner-timeout)") ?? false, run.stderr)
        XCTAssertLessThan(run.seconds, 20, "a hang guard: it stops about 2 s after it starts")
        for value in ["0", "-1", "nan", "1e9"] {
            try h.assertRefused(["worker", "--role", "reward", "--connect", "tcp://127.0.0.1:9", "--insecure", "--learner-timeout", value],
                                mentions: ["--learner-timeout"])
        }
    }

    // Root cause: --insecure served plain tcp, without CurveZMQ, to any interface with only a warning.
    func testInsecureBindsOnlyToLoopback() throws {
        let out = h.scratch.appendingPathComponent("run")
        for bind in ["tcp://0.0.0.0:5555", "tcp://*:5555", "tcp://10.1.2.3:5555", "tcp://127.0.0.1.example.com:5555", "tcp://[::]:5555"] {
            try h.assertRefused(["learner", "--config", Self.config.path, "--bind", bind, "--insecure", "--output", out.path],
                                mentions: ["--insecure", "loopback"])
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
        for bind in ["tcp://127.0.0.1:5555", "tcp://127.8.9.10:0", "tcp://[::1]:5555", "tcp://localhost:5555", "ipc:///tmp/rlhf-learner"] {
            XCTAssertTrue(try Endpoint(parsing: bind, binding: true).isLoopback, bind)
        }
    }
}
