import Foundation
import TestSupport
import XCTest

/// `rlhf monitor` attached to a launched, keyed cluster of real processes: `--json` streams snapshots
/// that name every role's workers; a monitor killed mid-run leaves the run unaffected (it ends with the
/// embedded run's values); the terminal dashboard renders in `tmux` (80×24) with its workers table and
/// sparklines, and `q` detaches.
final class MonitorTests: XCTestCase {
    var binary: URL { RLHFBinary.url(besideBundleOf: Self.self) }

    func testJSONUpdatesAKilledMonitorAndTheDashboardInTmux() throws {
        try TestPaths.requireVADER()
        let root = temporaryPath("monitor")
        defer { try? FileManager.default.removeItem(at: root) }
        let iterations = 300
        let sets = ["iterations=\(iterations)", "eval_every=0", "save_every=0"].flatMap { ["--set", $0] }
        let run = try LaunchedRun.start(binary, sets, in: root, waitingFor: 3)
        defer { run.killAll() }

        // two monitors at once: one that reads its updates and is killed later (the run never notices)...
        let killed = try RLHFBinary.start(binary, ["monitor", "--json", "--run", run.output.path], environment: TestPaths.environment,
                                          log: root.appendingPathComponent("monitor.log"))
        let monitorLog = { (try? String(contentsOf: root.appendingPathComponent("monitor.log"), encoding: .utf8)) ?? "" }
        XCTAssertTrue(run.wait(seconds: 30) { monitorLog().split(separator: "\n").count >= 3 }, monitorLog())
        // ...and --json beside it: the snapshot, then updates, each naming every role's workers
        let json = try run.control(["monitor", "--json", "--updates", "4"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let updates = json.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(updates.count, 4, json.stdout)
        for update in updates {
            let roles = Set((update["worker_list"] as? [[String: Any]] ?? []).compactMap { $0["role"] as? String })
            XCTAssertEqual(roles, ["rollout", "reward", "reference"], "\(update)")
            XCTAssertNotNil(update["round"] as? [String: Any])
            XCTAssertNotNil(update["history"] as? [String: [Double]])
        }
        let sequences = updates.compactMap { $0["sequence"] as? Int }
        XCTAssertEqual(sequences, sequences.sorted(), "newer updates only")

        // the first monitor is killed: the run goes on
        kill(killed.processIdentifier, SIGKILL)
        killed.waitUntilExit()

        // the dashboard in tmux: the workers table and sparklines, then q detaches
        let socket = "rlhf-monitor-test-\(getpid())"
        defer { _ = try? self.tmux(socket, ["kill-server"]) }
        let tmux = { (arguments: [String]) throws -> (status: Int32, stdout: String) in try self.tmux(socket, arguments) }
        let command = "'\(binary.path)' monitor --run '\(run.output.path)'"
        let started = try tmux(["new-session", "-d", "-s", "monitor", "-x", "80", "-y", "24", command])
        XCTAssertEqual(started.status, 0)
        var pane = ""
        XCTAssertTrue(run.wait(seconds: 30) {
            pane = (try? tmux(["capture-pane", "-p", "-t", "monitor"]).stdout) ?? ""
            return pane.contains("NAME") && pane.contains("reference-0") && pane.unicodeScalars.contains { ("▁"..."█").contains($0) }
        }, "the dashboard shows its workers table and a sparkline:\n\(pane)")
        let lines = pane.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertLessThanOrEqual(lines.count, 25, pane)
        XCTAssertTrue(lines.allSatisfy { $0.count <= 80 }, pane)
        XCTAssertTrue(pane.contains("env/reward_mean"), pane)
        _ = try tmux(["send-keys", "-t", "monitor", "q"])
        XCTAssertTrue(run.wait(seconds: 10) { (try? tmux(["has-session", "-t", "monitor"]).status) != 0 }, "q detaches the monitor")

        run.process.waitUntilExit()
        XCTAssertEqual(run.process.terminationStatus, 0, String(run.log.suffix(3000)))
        try run.assertMatchesEmbedded(sets, iterations: iterations)
    }

    /// `tmux -L socket ARGUMENTS`: its status and output, through `SystemCommand` (posix_spawn and
    /// waitpid: Foundation's `Process` waits for its child's end of a socket the tmux server inherits and
    /// keeps, so it would never see the client exit).
    private func tmux(_ socket: String, _ arguments: [String]) throws -> (status: Int32, stdout: String) {
        let result = try SystemCommand.run(["/usr/bin/tmux", "-L", socket] + arguments, timeout: 30)
        return (result.status, result.output)
    }
}
