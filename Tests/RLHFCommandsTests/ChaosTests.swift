import Foundation
import TestSupport
import XCTest

/// Chaos on a launched, keyed cluster of real processes, in one run: every few seconds a random worker
/// is killed with `kill -9` and `rlhf scale` puts its role back at its target (the launcher starts it
/// again under its key); once, the learner is killed too, and `rlhf launch --resume` continues the run.
/// It ends with every iteration once, bit-identical to the uninterrupted run.
final class ChaosTests: XCTestCase {
    var binary: URL { RLHFBinary.url(besideBundleOf: Self.self) }

    func testRandomWorkerKillsAndALearnerKillLeaveTheUninterruptedRunsNumbers() throws {
        try TestPaths.requireVADER()
        let root = temporaryPath("chaos")
        defer { try? FileManager.default.removeItem(at: root) }
        let iterations = 240
        let sets = ["iterations=\(iterations)", "eval_every=0", "save_every=10"].flatMap { ["--set", $0] }
        let run = try LaunchedRun.start(binary, sets, in: root, hostfile: try LaunchedRun.sharedHosts(slots: 7, in: root), waitingFor: 5)
        var resumed: Process?
        defer {
            run.killAll()
            if let resumed { kill(resumed.processIdentifier, SIGKILL) }
        }
        var random = SystemRandomNumberGenerator()
        var kills: [String] = []
        func killRandomWorker() throws {
            let live = run.processes.filter { ($0["state"] as? String) == "running" && $0["name"] != nil }
            guard let victim = live.randomElement(using: &random), let pid = victim["pid"] as? Int, let name = victim["name"] as? String,
                  let role = victim["role"] as? String else { return }
            let status = try run.control(["status", "--json"])
            let targets = (try? JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])?["targets"] as? [String: Int]
            let target = try XCTUnwrap(targets?[role], status.stdout + status.stderr)
            kill(pid_t(pid), SIGKILL)
            kills.append(name)
            let scaled = try run.control(["scale", "--\(role)", "\(target)"])
            XCTAssertEqual(scaled.status, 0, scaled.stderr)
            XCTAssertTrue(run.wait(seconds: 30) {
                run.processes.contains { ($0["name"] as? String) == name && ($0["state"] as? String) == "running" && ($0["pid"] as? Int) != pid }
            }, "\(name) is running again: \(run.processes)")
        }
        func progress() -> Int { run.metrics.count }

        for _ in 0..<3 {
            let before = progress()
            try killRandomWorker()
            XCTAssertTrue(run.wait(seconds: 60) { progress() >= before + 10 }, "the run goes on after \(kills)")
        }
        // the learner, once: the launcher exits 3 and the workers wait; the resume goes on
        let learner = run.pids[0]
        kill(learner, SIGKILL)
        run.process.waitUntilExit()
        XCTAssertEqual(run.process.terminationStatus, 3, String(run.log.suffix(2000)))
        let resumeLog = root.appendingPathComponent("resume.log")
        resumed = try RLHFBinary.start(binary, ["launch", "--resume", run.output.path], environment: TestPaths.environment, log: resumeLog)
        for _ in 0..<2 {
            let before = progress()
            XCTAssertTrue(run.wait(seconds: 60) { progress() >= before + 10 || !(resumed?.isRunning ?? false) }, "the resumed run goes on")
            guard resumed?.isRunning == true else { break }
            try killRandomWorker()
        }
        resumed?.waitUntilExit()
        let log = (try? String(contentsOf: resumeLog, encoding: .utf8)) ?? ""
        XCTAssertEqual(resumed?.terminationStatus, 0, String(log.suffix(3000)))
        XCTAssertGreaterThanOrEqual(kills.count, 4, "\(kills)")
        try run.assertMatchesEmbedded(sets, iterations: iterations)
    }
}
