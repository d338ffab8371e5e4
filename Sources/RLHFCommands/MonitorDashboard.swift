import ClusterTransport

/// The terminal dashboard of `rlhf monitor`: a snapshot drawn as lines that fit a terminal of a given size.
/// Sections that do not fit are dropped from the bottom and table columns are narrowed or dropped; no line wraps.
enum MonitorDashboard {
    /// A worker row of the snapshot.
    typealias Worker = MonitorSnapshot.Worker

    /// `snapshot` as at most `height` lines of at most `width` visible characters each, with SGR colour codes
    /// when `colour`; `now` (a clock) is shown at the right of the header when there is room for it.
    static func render(_ snapshot: MonitorSnapshot, width: Int, height: Int, colour: Bool, now: String = "") -> [String] {
        guard width > 0, height > 0 else { return [] }
        let heading = [headerLine(snapshot, width: width, now: now), roundLine(snapshot, width: width), targetsLine(snapshot)]
        let top = Array(heading.prefix(height))
        var bottom = metricLines(snapshot, width: width)
        bottom.append(countersLine(snapshot))
        if let phases = phasesLine(snapshot) { bottom.append(phases) }
        let workers = snapshot.workerList.sorted(by: listedBefore)
        let remaining = height - top.count
        let tableMinimum = workers.isEmpty ? 0 : 1 + min(workers.count, 3)
        var bottomShown = min(bottom.count, max(0, remaining - tableMinimum))
        if remaining - bottomShown < 2 { bottomShown = min(bottom.count, remaining) }
        let table = tableLines(workers, width: width, lines: remaining - bottomShown)
        let lines: [Line] = top + table + Array(bottom.prefix(bottomShown))
        return lines.map { $0.rendered(width: width, colour: colour) }
    }

    /// `rlhf monitor`, the iteration and a progress bar, and `now` at the right.
    private static func headerLine(_ snapshot: MonitorSnapshot, width: Int, now: String) -> Line {
        var line = Line("rlhf monitor", .bold)
        let total = snapshot.iterations
        line.append(total > 0 ? "  iteration \(snapshot.iteration)/\(total)" : "  iteration \(snapshot.iteration)")
        let clock = printable(now)
        let clockRoom = clock.isEmpty ? 0 : clock.count + 2
        let barRoom = min(width - line.width - clockRoom, 34) - 2
        if total > 0, barRoom >= 8 {
            let inner = barRoom - 2
            let done = Double(min(max(snapshot.iteration, 0), total)) / Double(total)
            let filled = min(inner, max(0, Int(done * Double(inner))))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: inner - filled)
            line.append("  [\(bar)]")
        }
        if !clock.isEmpty, width - line.width >= clockRoom {
            line.append(String(repeating: " ", count: width - line.width - clock.count))
            line.append(clock, .dim)
        }
        return line
    }

    /// The round in progress: its iteration and state (cut short to leave room for the rest), the work queued by
    /// role and the leases out by version.
    private static func roundLine(_ snapshot: MonitorSnapshot, width: Int) -> Line {
        let round = snapshot.round
        let queued = ordered(Array(round.queued.keys), known: roles).map { "\(printable($0)) \(round.queued[$0] ?? 0)" }
        let versions = round.inFlight.keys.sorted { (Int($0) ?? Int.max, $0) < (Int($1) ?? Int.max, $1) }
        let leases = versions.map { "v\(printable($0)):\(round.inFlight[$0] ?? 0)" }
        let queuedText = queued.isEmpty ? "none" : queued.joined(separator: " ")
        let leasesText = leases.isEmpty ? "none" : leases.joined(separator: " ")
        let counts = "  queued \(queuedText)  in flight \(leasesText)"
        var line = Line(round.iteration < 0 ? "round -" : "round \(round.iteration)", .bold)
        let state = printable(round.state)
        let stateRoom = width - line.width - 2 - counts.count
        let shownState = state.count > stateRoom && stateRoom >= 12 ? truncated(state, to: stateRoom) : state
        line.append(": \(shownState)")
        line.append(counts)
        return line
    }

    /// Workers registered against the operator's target, by role (`workers rollout 2/3 reward 1/1`).
    private static func targetsLine(_ snapshot: MonitorSnapshot) -> Line {
        var line = Line("workers", .bold)
        let shownRoles = ordered(Array(Set(snapshot.workers.keys).union(snapshot.targets.keys)), known: roles)
        if shownRoles.isEmpty { line.append(" none") }
        for role in shownRoles {
            let registered = snapshot.workers[role] ?? 0
            line.append(" \(printable(role)) ")
            if let target = snapshot.targets[role] {
                line.append("\(registered)/\(target)", registered < target ? Style.yellow : nil)
            } else {
                line.append("\(registered)")
            }
        }
        return line
    }

    /// One line per plotted metric the snapshot has: its name, latest value and a sparkline of its history.
    private static func metricLines(_ snapshot: MonitorSnapshot, width: Int) -> [Line] {
        let names = MonitorSnapshot.plotted.filter { snapshot.history[$0] != nil || snapshot.metrics[$0] != nil }
        let values = names.map { compact(snapshot.metrics[$0] ?? snapshot.history[$0]?.last ?? .nan) }
        let nameWidth = names.map(\.count).max() ?? 0
        let valueWidth = values.map(\.count).max() ?? 0
        return zip(names, values).map { name, value in
            var line = Line(name + String(repeating: " ", count: nameWidth - name.count))
            line.append("  " + String(repeating: " ", count: valueWidth - value.count) + value, .bold)
            let room = width - line.width - 2
            if room > 0, let history = snapshot.history[name], !history.isEmpty {
                line.append("  " + sparkline(history, width: room))
            }
            return line
        }
    }

    /// Generators by staleness, results dropped by reason, and the refusals that happened, by reason.
    private static func countersLine(_ snapshot: MonitorSnapshot) -> Line {
        let staleness = ordered(Array(snapshot.staleness.keys), known: ["0", "1", "2+", "none"])
            .map { "\(printable($0)):\(snapshot.staleness[$0] ?? 0)" }
        var line = Line("staleness " + (staleness.isEmpty ? "none" : staleness.joined(separator: " ")))
        line.append("  dropped")
        let dropped = snapshot.dropped.sorted { $0.key < $1.key }
        let anyDropped = dropped.contains { $0.value != 0 }
        if !anyDropped { line.append(" none") }
        for (reason, count) in dropped where anyDropped {
            line.append(" \(printable(reason)) ")
            line.append("\(count)", count > 0 ? Style.yellow : nil)
        }
        let refused = snapshot.refused.filter { $0.value != 0 }.sorted { $0.key < $1.key }
        if !refused.isEmpty { line.append("  refused") }
        for (reason, count) in refused {
            line.append(" \(printable(reason)) ")
            line.append("\(count)", .red)
        }
        return line
    }

    /// The metric keys of the iteration's phases, and the short names the phases line gives them.
    private static let phases: [(key: String, label: String)] = [("time/generate", "gen"), ("time/score", "score"),
                                                                  ("time/reference", "ref"), ("time/learn", "learn"), ("time/sync", "sync")]

    /// The latest iteration's time in each phase (`phases gen 0.02s score 0.00s ...`), or nil when none is known.
    private static func phasesLine(_ snapshot: MonitorSnapshot) -> Line? {
        let shown = phases.compactMap { phase in
            snapshot.metrics[phase.key].map { "\(phase.label) \(fixed($0, digits: 2, unit: "s"))" }
        }
        return shown.isEmpty ? nil : Line("phases " + shown.joined(separator: " "))
    }

    /// The workers table: a header row, as many workers as `lines` leaves room for, and `… and K more` for the rest.
    private static func tableLines(_ workers: [Worker], width: Int, lines: Int) -> [Line] {
        guard !workers.isEmpty, lines >= 2 else { return [] }
        let shown = workers.count <= lines - 1 ? workers.count : lines - 2
        let listed = Array(workers.prefix(shown))
        let (columns, gap) = fitted(workerColumns(for: listed), width: width)
        let spacing = String(repeating: " ", count: gap)
        var header = Line()
        for (index, column) in columns.enumerated() {
            let title = column.title.count <= column.width ? column.title : column.shortTitle
            header.append((index > 0 ? spacing : "") + column.cell(title), .bold)
        }
        var table = [header]
        for (row, worker) in listed.enumerated() {
            var line = Line()
            for (index, column) in columns.enumerated() {
                if index > 0 { line.append(spacing) }
                line.append(column.cell(column.cells[row]), column.title == "STATE" ? stateStyle(worker.state) : nil)
            }
            table.append(line)
        }
        if shown < workers.count { table.append(Line("… and \(workers.count - shown) more", .dim)) }
        return table
    }

    /// The table's columns, each as wide as its title and widest cell (up to a cap).
    private static func workerColumns(for workers: [Worker]) -> [Column] {
        func column(_ title: String, _ shortTitle: String, right: Bool = false, minimum: Int, cap: Int,
                    _ cell: (Worker) -> String) -> Column {
            let cells = workers.map { printable(cell($0)) }
            let natural = min(cap, max(title.count, cells.map(\.count).max() ?? 0))
            return Column(title: title, shortTitle: shortTitle, cells: cells, rightAligned: right,
                          minimum: min(minimum, natural), width: natural)
        }
        return [
            column("NAME", "NAME", minimum: 8, cap: 24) { $0.name },
            column("ROLE", "ROLE", minimum: 3, cap: 9) { $0.role },
            column("HOST", "HOST", minimum: 4, cap: 18) { $0.host },
            column("DEVICE", "DEV", minimum: 3, cap: 12) { $0.device },
            column("STATE", "STATE", minimum: 5, cap: 11) { $0.state },
            column("LAG", "LAG", right: true, minimum: 3, cap: 5) { worker in worker.lag.map { "\($0)" } ?? "-" },
            column("TASKS/MIN", "T/MIN", right: true, minimum: 5, cap: 9) { fixed($0.tasksPerMinute, digits: 1) },
            column("HEARD", "HEARD", right: true, minimum: 5, cap: 6) { elapsed($0.lastHeardSeconds) },
        ]
    }

    /// `columns` made to fit `width`: the least needed dropped (device, host, rate, lag, heard, role) while even
    /// their narrowest does not fit, then the widest cut down; columns are 2 apart where that fits, else 1.
    private static func fitted(_ columns: [Column], width: Int) -> (columns: [Column], gap: Int) {
        var kept = columns
        for title in ["DEVICE", "HOST", "TASKS/MIN", "LAG", "HEARD", "ROLE"] {
            if spanned(kept, gap: 1, narrowest: true) <= width { break }
            kept.removeAll { $0.title == title }
        }
        let gap = spanned(kept, gap: 2, narrowest: false) <= width ? 2 : 1
        while spanned(kept, gap: gap, narrowest: false) > width,
              let widest = kept.indices.max(by: { kept[$0].width - kept[$0].minimum < kept[$1].width - kept[$1].minimum }),
              kept[widest].width > kept[widest].minimum {
            kept[widest].width -= 1
        }
        return (kept, gap)
    }

    /// One column of the workers table: its titles (the short one for a narrow column), its cells, and how it is drawn.
    private struct Column {
        var title: String, shortTitle: String
        var cells: [String]
        var rightAligned: Bool
        /// The narrowest it may be cut to, and the width it is drawn at.
        var minimum: Int, width: Int

        /// `text` cut or padded to the column's width.
        func cell(_ text: String) -> String {
            let cut = MonitorDashboard.truncated(text, to: width)
            let padding = String(repeating: " ", count: max(0, width - cut.count))
            return rightAligned ? padding + cut : cut + padding
        }
    }

    /// How wide `columns` are together, `gap` apart, at their drawn or their narrowest widths.
    private static func spanned(_ columns: [Column], gap: Int, narrowest: Bool) -> Int {
        columns.reduce(0) { $0 + (narrowest ? $1.minimum : $1.width) } + gap * max(0, columns.count - 1)
    }

    /// The roles in the order the dashboard lists them.
    private static let roles = ["rollout", "reward", "reference"]

    /// Whether worker `a` is listed before `b`: by role (rollout, reward, reference, then others), then name.
    private static func listedBefore(_ a: Worker, _ b: Worker) -> Bool {
        (rank(a.role, in: roles), a.role, a.name, a.id) < (rank(b.role, in: roles), b.role, b.name, b.id)
    }

    /// `keys` with those in `known` first, in its order, then the rest alphabetically.
    private static func ordered(_ keys: [String], known: [String]) -> [String] {
        keys.sorted { (rank($0, in: known), $0) < (rank($1, in: known), $1) }
    }

    /// Where `key` comes in `known` (after all of it when absent).
    private static func rank(_ key: String, in known: [String]) -> Int {
        known.firstIndex(of: key) ?? known.count
    }

    /// The colour a worker state is drawn in: working green, coming or going yellow, quarantined red.
    private static func stateStyle(_ state: String) -> Style? {
        switch state {
        case "ready", "busy": return .green
        case "joining", "draining": return .yellow
        case "quarantined": return .red
        default: return nil
        }
    }
}
