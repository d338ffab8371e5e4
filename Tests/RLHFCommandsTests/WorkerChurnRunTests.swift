import Foundation
import TestSupport
import XCTest

/// Workers join and leave again and again during a launched, keyed run of real processes: generators go
/// 1 → 3 → 1 twice through `rlhf scale --rollout +2/-2` (the newest drain and exit 0), and once a new
/// generator is killed with `kill -9` and put back by `rlhf scale`. Every iteration trains once, with the
/// values of the embedded run: seeds come from task ids, whoever samples them.
final class WorkerChurnRunTests: XCTestCase {
    var binary: URL { RLHFBinary.url(besideBundleOf: Self.self) }

    func testEveryIterationTrainsOnceWhileWorkersJoinAndLeave() throws {
        try TestPaths.requireVADER()
        let root = temporaryPath("churn")
        defer { try? FileManager.default.removeItem(at: root) }
        let iterations = 240
        let sets = ["iterations=\(iterations)", "eval_every=0", "save_every=0", "roles.rollout=1"].flatMap { ["--set", $0] }
        let run = try LaunchedRun.start(binary, sets, in: root, hostfile: try LaunchedRun.sharedHosts(slots: 8, in: root), waitingFor: 3)
        defer { run.killAll() }
        func generators() -> Double? { run.metrics.last?["cluster/workers/rollout"] }
        func scale(_ change: String) throws {
            let r = try run.control(["scale", "--rollout", change])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        var upDown = 0, killed = false
        for _ in 0..<2 where run.process.isRunning {
            try scale("+2")
            guard run.wait(seconds: 60, until: { generators() == 3 || !run.process.isRunning }), run.process.isRunning else { break }
            try scale("-2")
            guard run.wait(seconds: 60, until: { generators() == 1 || !run.process.isRunning }), run.process.isRunning else { break }
            upDown += 1
        }
        // one abrupt leave: a generator that joined is killed, and `rlhf scale` starts it again
        if run.process.isRunning {
            try scale("+1")
            if run.wait(seconds: 60, until: { generators() == 2 || !run.process.isRunning }), run.process.isRunning,
               let victim = run.processes.last(where: { ($0["role"] as? String) == "rollout" && ($0["state"] as? String) == "running" }),
               let pid = victim["pid"] as? Int {
                kill(pid_t(pid), SIGKILL)
                try scale("2")
                _ = run.wait(seconds: 60) { !run.process.isRunning || run.processes.contains {
                    ($0["name"] as? String) == (victim["name"] as? String) && ($0["state"] as? String) == "running" && ($0["pid"] as? Int) != pid
                } }
                killed = true
            }
        }
        run.process.waitUntilExit()
        XCTAssertEqual(run.process.terminationStatus, 0, String(run.log.suffix(3000)))
        XCTAssertGreaterThanOrEqual(upDown, 1, "generators went 1 → 3 → 1 while the run went on: \(run.processes)")
        XCTAssertGreaterThanOrEqual(upDown + (killed ? 1 : 0), 2, "workers joined and left at least twice: \(run.processes)")
        let series = run.metrics.compactMap { $0["cluster/workers/rollout"] }.reduce(into: [Double]()) { runs, n in
            if runs.last != n { runs.append(n) }
        }
        XCTAssertGreaterThanOrEqual(series.filter { $0 == 3 }.count, upDown, "generators went up and down: \(series)")
        XCTAssertEqual(run.metrics.reduce(0) { $0 + ($1["cluster/samples_trained"] ?? 0) }, Double(iterations * 16), "every batch trained once")
        try run.assertMatchesEmbedded(sets, iterations: iterations)
    }
}
