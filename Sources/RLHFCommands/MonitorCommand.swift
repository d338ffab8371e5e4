import ArgumentParser
import ClusterTransport
import Foundation
import Launch
import Synchronization
import Wire

/// `rlhf monitor`: attaches to a running cluster at any time and shows its workers, metrics (with
/// sparklines), round and drop counters as a terminal dashboard that redraws in place, or (`--json`) as
/// one JSON object per update. It asks the learner for a snapshot first, then follows the learner's
/// monitor socket. `q`, Ctrl-C or killing it detaches without touching the run; several may watch at once.
struct MonitorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "monitor",
                                                    abstract: "Watch a running cluster: a live dashboard, or JSON lines with --json.")

    @OptionGroup var connection: OperatorConnection

    @Flag(help: "Print each update as one JSON object per line instead of the dashboard.")
    var json = false

    @Flag(name: .customLong("no-colour"), help: "Draw the dashboard without colour (also when NO_COLOR is set).")
    var noColour = false

    @Option(help: ArgumentHelp("Stop after this many updates (the snapshot counts as the first; default: until detached).", valueName: "n"))
    var updates: Int?

    func validate() throws {
        if let updates, updates < 1 { throw ValidationError("--updates must be at least 1") }
    }

    func run() async throws {
        let first = try await connection.ask(.status)
        guard var snapshot = try? MonitorSnapshot.decode(first.status) else {
            throw CommandInputError.flags("the learner's status is not a snapshot this build reads")
        }
        guard let published = snapshot.monitorEndpoint else {
            throw CommandInputError.flags("this learner has no monitor socket (a run without keys)")
        }
        let (endpoint, folder) = try connection.resolve()
        let subscription = try await connection.issuing {
            try await MonitorSubscription(endpoint: MonitorSubscription.reachable(published, learner: endpoint),
                                          security: try connection.security(folder), logger: connection.logger)
        }
        let screen = json ? nil : TerminalScreen(colour: !noColour)
        let detach: @Sendable () -> Void = {
            screen?.restore()
            Foundation.exit(0)
        }
        let signals = OperatorSignals([SIGINT: detach, SIGTERM: detach, SIGHUP: detach])
        screen?.onQuitKey(detach)
        defer { withExtendedLifetime(signals) {} }
        var shown = 0
        var lastUpdate = Date()
        func show(_ snapshot: MonitorSnapshot) throws {
            shown += 1
            if let screen {
                let size = screen.size
                let clock = Date().timeIntervalSince(lastUpdate) > 5 ? "no update for \(Int(Date().timeIntervalSince(lastUpdate))) s" : Self.clock()
                screen.draw(MonitorDashboard.render(snapshot, width: size.width, height: size.height, colour: screen.colour, now: clock))
            } else {
                try StandardOutput.line(snapshot.json())
            }
        }
        try show(snapshot)
        if screen == nil {
            for await update in subscription.updates {
                guard updates.map({ shown < $0 }) ?? true else { break }
                try show(update)
            }
        } else {
            // the newest update, taken by the drawing loop, which also redraws every 2 s (a quiet learner shows as such)
            let newest = Mutex<MonitorSnapshot?>(nil)
            let reader = Task { for await update in subscription.updates { newest.withLock { $0 = update } } }
            var drawn = Date()
            while updates.map({ shown < $0 }) ?? true {
                try await Task.sleep(for: .milliseconds(100))
                if let update = newest.withLock({ value in defer { value = nil }; return value }) {
                    (snapshot, lastUpdate, drawn) = (update, Date(), Date())
                    try show(snapshot)
                } else if Date().timeIntervalSince(drawn) >= 2 {
                    drawn = Date()
                    shown -= 1
                    try show(snapshot)
                }
            }
            reader.cancel()
        }
        screen?.restore()
        await subscription.close()
    }

    /// The time of day, `HH:MM:SS`.
    private static func clock() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: Date())
    }
}
