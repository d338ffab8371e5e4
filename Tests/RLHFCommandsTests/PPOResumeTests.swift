import Foundation
import TestSupport
import XCTest

/// `rlhf ppo --resume`: a run killed with SIGKILL in the middle of an iteration, after a checkpoint, and
/// then resumed writes the same metrics, bit for bit, as the same run left alone; a new run refuses a
/// folder that holds one, and `--resume` refuses a folder without a checkpoint.
final class PPOResumeTests: XCTestCase {
    let config = TestPaths.packageRoot.appendingPathComponent("cluster/configs/sentiment-stories260k.yaml")
    let environment = ["RLHF_SHARED": TestPaths.shared.path, "RLHF_MODELS": TestPaths.models.path]
    let settings = ["iterations=16", "save_every=4", "eval_every=4"]

    func arguments(_ output: URL, resume: Bool = false) -> [String] {
        ["ppo", "--config", config.path, "--output", output.path] + settings.flatMap { ["--set", $0] } + (resume ? ["--resume"] : [])
    }

    func folder() -> URL { temporaryPath("ppo-resume") }

    /// metrics.jsonl without the wall-clock numbers.
    func metrics(_ output: URL) throws -> [[String: Double]] { try RunOutput.metrics(output) }

    func testKilledMidIterationThenResumedEqualsTheUninterruptedRun() throws {
        try requireFile(FileManager.default.fileExists(atPath: TestPaths.models.appendingPathComponent("vader/vader_lexicon.txt").path),
                        "the VADER lexicon is missing: run `make models`")
        let binary = RLHFBinary.url(besideBundleOf: Self.self)
        let whole = folder(), killed = folder()
        defer { for f in [whole, killed] { try? FileManager.default.removeItem(at: f) } }
        let straight = try RLHFBinary.run(binary, arguments(whole), environment: environment)
        XCTAssertEqual(straight.status, 0, straight.stderr)

        // start the same run and SIGKILL it as soon as its first checkpoint is in place: mid-iteration 4
        let process = try RLHFBinary.start(binary, arguments(killed), environment: environment)
        let checkpoint = killed.appendingPathComponent("checkpoints/iteration-000004/state.json")
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: checkpoint.path) && process.isRunning && Date() < deadline { usleep(2_000) }
        XCTAssertTrue(process.isRunning, "the run must still be going when it is killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        let before = try metrics(killed)
        XCTAssertLessThan(before.count, 17, "killed before the end")
        XCTAssertGreaterThanOrEqual(before.count, 4)

        let resumed = try RLHFBinary.run(binary, arguments(killed, resume: true), environment: environment)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let expected = try metrics(whole), got = try metrics(killed)
        XCTAssertEqual(expected.count, 17, "16 iterations and a final evaluation")
        XCTAssertEqual(got.map { $0["iteration"] }, expected.map { $0["iteration"] }, "each iteration once, in order")
        for (e, g) in zip(expected, got) { XCTAssertEqual(e, g, "iteration \(e["iteration"] ?? -1)") }
        let events = try FileManager.default.contentsOfDirectory(atPath: killed.path).filter { $0.hasPrefix("events.out.tfevents.") }
        XCTAssertEqual(events.count, 2, "the resumed process writes its own event file")

        // the operator's signals: SIGUSR1 writes a checkpoint after the iteration under way, SIGTERM one
        // and stops the run cleanly; resumed from it, the run is again the uninterrupted one
        let stopped = folder()
        defer { try? FileManager.default.removeItem(at: stopped) }
        let log = stopped.deletingLastPathComponent().appendingPathComponent(stopped.lastPathComponent + ".log")
        defer { try? FileManager.default.removeItem(at: log) }
        let signalled = try RLHFBinary.start(binary, arguments(stopped), environment: environment, log: log)
        func lines() -> Int { ((try? String(contentsOf: stopped.appendingPathComponent("metrics.jsonl"), encoding: .utf8)) ?? "").split(separator: "\n").count }
        let signalDeadline = Date().addingTimeInterval(120)
        while lines() < 1 && signalled.isRunning && Date() < signalDeadline { usleep(2_000) }
        kill(signalled.processIdentifier, SIGUSR1)
        while !PPOCheckpointFolders.iterations(in: stopped).contains(where: { $0 % 4 != 0 }) && signalled.isRunning
            && Date() < signalDeadline { usleep(2_000) }
        let asked = PPOCheckpointFolders.iterations(in: stopped)
        XCTAssertEqual(asked.count, 1, "one checkpoint, off the save_every schedule, before iteration 4: \(asked)")
        XCTAssertLessThan(asked.first ?? 4, 4)
        while lines() < 6 && signalled.isRunning && Date() < signalDeadline { usleep(2_000) }
        kill(signalled.processIdentifier, SIGTERM)
        signalled.waitUntilExit()
        let said = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        XCTAssertEqual(signalled.terminationStatus, 0, said)
        XCTAssertEqual(signalled.terminationReason, .exit)
        let saved = PPOCheckpointFolders.iterations(in: stopped)
        let last = try XCTUnwrap(saved.last)
        XCTAssertLessThan(last, 16, "stopped before the end")
        XCTAssertEqual(try metrics(stopped).count, last, "the run stopped right after its checkpoint: \(said.suffix(500))")
        XCTAssertTrue(said.contains("stopped after iteration \(last)"), said)
        let continued = try RLHFBinary.run(binary, arguments(stopped, resume: true), environment: environment)
        XCTAssertEqual(continued.status, 0, continued.stderr)
        XCTAssertEqual(try metrics(stopped), expected)
    }

    func testANewRunRefusesAFolderThatHoldsARunAndResumeNeedsACheckpoint() throws {
        let binary = RLHFBinary.url(besideBundleOf: Self.self)
        let output = folder()
        defer { try? FileManager.default.removeItem(at: output) }
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let noCheckpoint = try RLHFBinary.run(binary, arguments(output, resume: true), environment: environment)
        XCTAssertEqual(noCheckpoint.status, 2)
        XCTAssertTrue(noCheckpoint.stderr.contains("no checkpoint to resume from"), noCheckpoint.stderr)
        let metrics = output.appendingPathComponent("metrics.jsonl")
        try Data("{\"iteration\":0}\n".utf8).write(to: metrics)
        let fresh = try RLHFBinary.run(binary, arguments(output), environment: environment)
        XCTAssertEqual(fresh.status, 2)
        XCTAssertTrue(fresh.stderr.contains("already holds a run"), fresh.stderr)
        XCTAssertEqual(fresh.stderr.split(separator: "\n").count, 1, fresh.stderr)
        XCTAssertEqual(try String(contentsOf: metrics, encoding: .utf8), "{\"iteration\":0}\n", "left as it was")
    }
}

/// The iterations of the checkpoints in a run's folder, in order.
enum PPOCheckpointFolders {
    static func iterations(in output: URL) -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: output.appendingPathComponent("checkpoints").path)) ?? []
        return names.compactMap { $0.hasPrefix("iteration-") ? Int($0.dropFirst("iteration-".count)) : nil }.sorted()
    }
}
