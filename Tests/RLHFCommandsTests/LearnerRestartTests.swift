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

    /// Launches, and waits until `iterations` are logged.
    private func launch(_ sets: [String], in root: URL, waitingFor iterations: Int) throws -> LaunchedRun {
        try LaunchedRun.start(binary, sets, in: root, waitingFor: iterations)
    }

    /// `rlhf launch --resume` of `launched`; its run then holds every iteration once, at the embedded run's values.
    private func resumeAndCompare(_ launched: LaunchedRun, sets: [String], iterations: Int) throws -> RLHFBinary.Run {
        let resumed = try RLHFBinary.run(binary, ["launch", "--resume", launched.output.path], environment: TestPaths.environment)
        XCTAssertEqual(resumed.status, 0, String(resumed.stderr.suffix(3000)))
        try launched.assertMatchesEmbedded(sets, iterations: iterations)
        return resumed
    }

    func testAKilledLearnerIsResumedAndTheWorkersRejoin() throws {
        try TestPaths.requireVADER()
        let root = temporaryPath("restart")
        defer { try? FileManager.default.removeItem(at: root) }
        let sets = ["iterations=12", "eval_every=0", "save_every=3"].flatMap { ["--set", $0] }
        let launched = try launch(sets, in: root, waitingFor: 7)
        let pids = launched.pids
        defer { for pid in pids + [launched.process.processIdentifier] { kill(pid, SIGKILL) } }
        XCTAssertEqual(pids.count, 5)
        kill(pids[0], SIGKILL)
        launched.process.waitUntilExit()
        XCTAssertEqual(launched.process.terminationStatus, 3, String(launched.log.suffix(2000)))
        XCTAssertTrue(launched.log.contains("continue the run with rlhf launch --resume"), String(launched.log.suffix(2000)))
        let workers = Array(pids.dropFirst())
        XCTAssertTrue(workers.allSatisfy { kill($0, 0) == 0 }, "the workers wait for a new learner")
        _ = try resumeAndCompare(launched, sets: sets, iterations: 12)
        let after = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: launched.output.appendingPathComponent("cluster.json"))) as? [String: Any])
        let rejoined = (after["processes"] as? [[String: Any]] ?? []).filter { $0["rejoined"] as? Bool == true }.compactMap { $0["pid"] as? Int }
        XCTAssertEqual(Set(rejoined.map(Int32.init)), Set(workers), "every worker rejoined; none was started again")
    }

    func testAKilledLauncherIsAdoptedByItsResume() throws {
        try TestPaths.requireVADER()
        let root = temporaryPath("adopt")
        defer { try? FileManager.default.removeItem(at: root) }
        let sets = ["iterations=30", "eval_every=0", "save_every=5"].flatMap { ["--set", $0] }
        let launched = try launch(sets, in: root, waitingFor: 3)
        let pids = launched.pids
        defer { for pid in pids + [launched.process.processIdentifier] { kill(pid, SIGKILL) } }
        XCTAssertEqual(pids.count, 5)
        kill(launched.process.processIdentifier, SIGKILL)
        launched.process.waitUntilExit()
        usleep(500_000)
        XCTAssertTrue(pids.allSatisfy { kill($0, 0) == 0 }, "the learner and the workers go on without their launcher")
        let resumed = try resumeAndCompare(launched, sets: sets, iterations: 30)
        XCTAssertTrue(resumed.stdout.contains("adopting it"), resumed.stdout)
    }
}
