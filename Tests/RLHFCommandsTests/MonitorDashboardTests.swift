import ClusterTransport
@testable import RLHFCommands
import XCTest

/// The monitor's dashboard fits the terminal it is drawn for, drops what does not fit, prints no escape without
/// colour, and draws its sparklines from the metrics' history.
final class MonitorDashboardTests: XCTestCase {
    /// The block characters a sparkline draws with.
    private let blocks = Set("▁▂▃▄▅▆▇█")

    func testFullSizeShowsEverySection() throws {
        let snapshot = Self.snapshot(workers: 7)
        let lines = MonitorDashboard.render(snapshot, width: 80, height: 24, colour: false, now: "12:34:56")
        assertFits(lines, width: 80, height: 24)
        let text = lines.joined(separator: "\n")
        XCTAssertTrue(lines[0].hasPrefix("rlhf monitor") && lines[0].contains("iteration 12/100"), lines[0])
        XCTAssertTrue(lines[0].hasSuffix("12:34:56"), lines[0])
        XCTAssertTrue(text.contains("round 12: waiting"), text)
        XCTAssertTrue(text.contains("queued rollout 3 reward 0 reference 1") && text.contains("in flight v3:2"), text)
        XCTAssertTrue(text.contains("workers rollout 2/3 reward 2/2 reference 3/3"), text)
        for title in ["NAME", "ROLE", "HOST", "DEVICE", "STATE", "LAG", "TASKS/MIN", "HEARD"] {
            XCTAssertTrue(text.contains(title), "\(title) in\n\(text)")
        }
        for worker in snapshot.workerList { XCTAssertTrue(text.contains(worker.name), "\(worker.name) in\n\(text)") }
        XCTAssertTrue(text.contains(where: { blocks.contains($0) }), text)
        XCTAssertTrue(text.contains("staleness 0:3 1:0 2+:0 none:1"), text)
        XCTAssertTrue(text.contains("dropped duplicate 2 late 0") && text.contains("refused malformed 1"), text)
        XCTAssertFalse(text.contains("stranger"), text)
        XCTAssertTrue(text.contains("phases gen 0.02s score 0.00s ref 0.01s learn 0.08s sync 0.00s"), text)
        XCTAssertFalse(text.unicodeScalars.contains("\u{1B}"))
        // rows by role (rollout, reward, reference), then name
        let order = ["rollout-0", "rollout-1", "reward-0", "reward-1", "reference-0", "reference-1", "reference-2"]
        let rows = try order.map { name in try XCTUnwrap(lines.firstIndex(where: { $0.hasPrefix(name + " ") }), name) }
        XCTAssertEqual(rows, rows.sorted())
    }

    func testColourUsesOnlyResetSGRCodes() {
        let snapshot = Self.snapshot(workers: 8)
        let lines = MonitorDashboard.render(snapshot, width: 80, height: 24, colour: true, now: "12:34:56")
        assertFits(lines, width: 80, height: 24)
        let allowed: Set<String> = ["\u{1B}[0m", "\u{1B}[1m", "\u{1B}[2m", "\u{1B}[31m", "\u{1B}[32m", "\u{1B}[33m"]
        XCTAssertTrue(lines.contains { !Self.escapes(in: $0).isEmpty })
        for line in lines {
            let escapes = Self.escapes(in: line)
            XCTAssertTrue(Set(escapes).isSubset(of: allowed), "\(escapes)")
            if let last = escapes.last { XCTAssertEqual(last, "\u{1B}[0m", line) }
        }
        let plain = MonitorDashboard.render(snapshot, width: 80, height: 24, colour: false, now: "12:34:56")
        XCTAssertEqual(plain, lines.map(Self.visible))
    }

    func testNarrowAndShortTerminalsStayWithinBounds() {
        let snapshot = Self.snapshot(workers: 8)
        let small = MonitorDashboard.render(snapshot, width: 40, height: 12, colour: false, now: "12:34:56")
        assertFits(small, width: 40, height: 12)
        XCTAssertTrue(small[0].hasPrefix("rlhf monitor"))
        XCTAssertTrue(small.contains { $0.hasPrefix("NAME") }, small.joined(separator: "\n"))
        for width in stride(from: 40, through: 120, by: 7) {
            for height in 10...26 {
                for colour in [false, true] {
                    let lines = MonitorDashboard.render(snapshot, width: width, height: height, colour: colour, now: "12:34:56")
                    assertFits(lines, width: width, height: height)
                    if !colour { XCTAssertFalse(lines.contains { $0.unicodeScalars.contains("\u{1B}") }) }
                }
            }
        }
    }

    func testTextFromTheWireIsPrintedOnOneLine() {
        var snapshot = Self.snapshot(workers: 4)
        snapshot.workerList[0].name = "evil\n\u{1B}[2J\r\nname\u{2028}x"
        snapshot.workerList[1].host = "host\u{202E}\t"
        snapshot.round.state = "state\nwith newline"
        snapshot.dropped["bad\u{1B}[31m"] = 3
        for colour in [false, true] {
            let lines = MonitorDashboard.render(snapshot, width: 80, height: 24, colour: colour, now: "now\n")
            assertFits(lines, width: 80, height: 24)
            if !colour { XCTAssertFalse(lines.contains { $0.unicodeScalars.contains("\u{1B}") }) }
        }
    }

    func testSparklineScalesBetweenLeastAndGreatest() {
        XCTAssertEqual(MonitorDashboard.sparkline([1, 2, 3, 4, 5, 6, 7, 8], width: 8), "▁▂▃▄▅▆▇█")
        XCTAssertEqual(MonitorDashboard.sparkline([1, 2, 3, 4, 5, 6, 7, 8], width: 20), "▁▂▃▄▅▆▇█")
        XCTAssertEqual(MonitorDashboard.sparkline([5, 5, 5, 5], width: 10), "▄▄▄▄")
        XCTAssertEqual(Set(MonitorDashboard.sparkline(Array(repeating: -2.5, count: 30), width: 30)).count, 1)
        // the most recent values when there is less room than history, scaled over those shown
        let recent = MonitorDashboard.sparkline([100, 1, 2, 3, 4, 5, 6, 7, 8], width: 4)
        XCTAssertEqual(recent.count, 4)
        XCTAssertEqual(recent.first, "▁")
        XCTAssertEqual(recent.last, "█")
        XCTAssertEqual(MonitorDashboard.sparkline([1, .nan, 3, .infinity], width: 4), "▁ █ ")
        XCTAssertEqual(MonitorDashboard.sparkline([-Double.greatestFiniteMagnitude, Double.greatestFiniteMagnitude], width: 2), "▁█")
        XCTAssertEqual(MonitorDashboard.sparkline([], width: 5), "")
        XCTAssertEqual(MonitorDashboard.sparkline([1, 2], width: 0), "")
    }

    func testManyWorkersEndTheTableWithACount() throws {
        let snapshot = Self.snapshot(workers: 100)
        let lines = MonitorDashboard.render(snapshot, width: 80, height: 24, colour: false)
        assertFits(lines, width: 80, height: 24)
        let header = try XCTUnwrap(lines.firstIndex(where: { $0.hasPrefix("NAME") }), lines.joined(separator: "\n"))
        let more = try XCTUnwrap(lines.firstIndex(where: { $0.hasPrefix("… and ") }), lines.joined(separator: "\n"))
        let words = lines[more].split(separator: " ")
        XCTAssertEqual(words.count, 4, lines[more])
        let hidden = try XCTUnwrap(Int(words[2]), lines[more])
        XCTAssertEqual(more - header - 1 + hidden, 100)
        XCTAssertGreaterThan(more - header - 1, 2)
        // the metrics, counters and phases still follow the table
        XCTAssertTrue(lines[more + 1].hasPrefix("env/reward_mean"), lines.joined(separator: "\n"))
        XCTAssertTrue(lines.last?.hasPrefix("phases") ?? false, lines.joined(separator: "\n"))
    }

    func testEmptySnapshotRenders() {
        for (width, height) in [(80, 24), (40, 10), (40, 12), (1, 1), (5, 3)] {
            for colour in [false, true] {
                let lines = MonitorDashboard.render(MonitorSnapshot(), width: width, height: height, colour: colour, now: "")
                assertFits(lines, width: width, height: height)
                XCTAssertFalse(lines.isEmpty)
            }
        }
        let lines = MonitorDashboard.render(MonitorSnapshot(), width: 80, height: 24, colour: false)
        XCTAssertEqual(lines.first, "rlhf monitor  iteration 0")
        XCTAssertTrue(lines.contains("workers none"), lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains { $0.hasPrefix("staleness none  dropped none") }, lines.joined(separator: "\n"))
        XCTAssertEqual(MonitorDashboard.render(MonitorSnapshot(), width: 0, height: 24, colour: false), [])
        XCTAssertEqual(MonitorDashboard.render(MonitorSnapshot(), width: 80, height: 0, colour: false), [])
    }

    /// Checks that `lines` fit a `width` × `height` terminal: no more lines, none wider (escapes aside), none broken.
    private func assertFits(_ lines: [String], width: Int, height: Int, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertLessThanOrEqual(lines.count, height, "\(width)×\(height)", file: file, line: line)
        for text in lines {
            XCTAssertLessThanOrEqual(Self.visible(text).count, width, "\(width)×\(height): \(text)", file: file, line: line)
            XCTAssertFalse(text.unicodeScalars.contains { $0 == "\n" || $0 == "\r" || $0 == "\u{2028}" }, text, file: file, line: line)
        }
    }

    /// `text` without its escape sequences (`ESC [ ... m`).
    private static func visible(_ text: String) -> String {
        var out = "", escaping = false
        for scalar in text.unicodeScalars {
            if escaping {
                if scalar == "m" { escaping = false }
            } else if scalar == "\u{1B}" {
                escaping = true
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The escape sequences in `text`, each from its `ESC` to the `m` that ends it (or to the end of the text).
    private static func escapes(in text: String) -> [String] {
        var found: [String] = [], current: String?
        for scalar in text.unicodeScalars {
            if scalar == "\u{1B}" {
                if let open = current { found.append(open) }
                current = "\u{1B}"
            } else if var open = current {
                open.unicodeScalars.append(scalar)
                if scalar == "m" { found.append(open); current = nil } else { current = open }
            }
        }
        if let open = current { found.append(open) }
        return found
    }

    /// A run at iteration 12 of 100 with `workers` workers of every role, a round waiting for a scorer, 30
    /// iterations of history for four plotted metrics, the phase times, and some results dropped and refused.
    private static func snapshot(workers count: Int) -> MonitorSnapshot {
        let roles = ["reference", "reward", "rollout"]
        let states = ["ready", "busy", "joining", "draining", "quarantined"]
        let workers = (0..<count).map { (index: Int) -> MonitorSnapshot.Worker in
            let role = roles[index % roles.count]
            return MonitorSnapshot.Worker(
                name: "\(role)-\(index / roles.count)", id: "\(role)#\(index)", role: role, host: "gpu-node-\(index)", pid: 1000 + index,
                device: "cuda:\(index % 2)", state: states[index % states.count], version: role == "rollout" ? 3 : nil,
                lag: role == "rollout" ? index % 3 : nil, tasks: index * 4, busySeconds: Double(index), tasksPerMinute: 12.5 + Double(index),
                lastHeardSeconds: 0.4 + Double(index) * 0.7)
        }
        var registered: [String: Int] = [:]
        for worker in workers { registered[worker.role, default: 0] += 1 }
        let series = (0..<30).map { Double($0 % 7) * 0.1 + Double($0) * 0.01 }
        let history: [String: [Double]] = [
            "env/reward_mean": series, "objective/kl": series.map { $0 * 0.01 }, "ppo/loss/policy": series.map { -$0 },
            "time/iteration": Array(repeating: 0.12, count: 30),
        ]
        var metrics = history.compactMapValues(\.last)
        metrics["time/generate"] = 0.02
        metrics["time/score"] = 0.001
        metrics["time/reference"] = 0.01
        metrics["time/learn"] = 0.08
        metrics["time/sync"] = 0
        return MonitorSnapshot(
            sequence: 40, iteration: 12, iterations: 100, workers: registered,
            targets: ["rollout": 3, "reward": registered["reward"] ?? 0, "reference": registered["reference"] ?? 0], workerList: workers,
            round: .init(iteration: 12, state: "waiting for 1 reward scorer", queued: ["rollout": 3, "reward": 0, "reference": 1],
                         inFlight: ["3": 2]),
            metrics: metrics, history: history, dropped: ["duplicate": 2, "late": 0], refused: ["malformed": 1, "stranger": 0],
            staleness: ["0": 3, "1": 0, "2+": 0, "none": 1])
    }
}
