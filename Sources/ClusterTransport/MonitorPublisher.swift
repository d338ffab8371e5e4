import Foundation
import Logging
import Wire
import ZeroMQ

/// The learner's monitor socket: a CurveZMQ `PUB` (only the operator's key subscribes) that publishes
/// a `MONITOR_UPDATE` (the run's `MonitorSnapshot`) every second and after each iteration, and the
/// iteration's `METRICS`. A subscriber that reads nothing loses updates beyond a few queued ones; the
/// learner never waits for it. A monitor that joins late asks `status` for a snapshot first.
package final class MonitorPublisher: Sendable {
    /// Where monitors connect (the learner's host, a port of its own).
    package let endpoint: String
    private let socket: PublisherEndpoint
    private let snapshot: @Sendable () -> MonitorSnapshot
    private let ticker: Task<Void, Never>

    /// Binds on the host of `near` (the learner's bound endpoint), any free port, admitting `security`'s
    /// clients; publishes `snapshot()` every `interval` seconds until closed.
    package init(near: String, security: ServerSecurity, interval: Double = 1, snapshot: @escaping @Sendable () -> MonitorSnapshot,
                 context: ZMQContext, logger: Logger) async throws {
        let bind = Self.anyPort(near)
        socket = try await PublisherEndpoint(endpoint: bind, security: security, name: "monitor", logger: logger, context: context)
        endpoint = socket.boundEndpoint
        self.snapshot = snapshot
        let (socket, snapshot) = (socket, snapshot)
        ticker = Task.detached {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
                Self.publish(snapshot(), on: socket)
            }
        }
    }

    /// `endpoint` with port 0 (`tcp://127.0.0.1:5555` → `tcp://127.0.0.1:0`); an `ipc://` path gets `.monitor`.
    static func anyPort(_ endpoint: String) -> String {
        if endpoint.hasPrefix("ipc://") { return endpoint + ".monitor" }
        guard let colon = endpoint.lastIndex(of: ":"), endpoint[endpoint.index(after: colon)...].allSatisfy(\.isNumber) else { return endpoint }
        return String(endpoint[..<colon]) + ":0"
    }

    /// Publishes the iteration's metrics and a fresh snapshot.
    package func iterationDone(_ iteration: Int, metrics: [String: Double]) {
        if iteration >= 0, let frames = try? WireFrames.encode(.metrics(Metrics(iteration: iteration, values: metrics)),
                                                                header: WireHeader(worker: 0, sequence: UInt64(iteration))) {
            socket.publish(frames)
        }
        Self.publish(snapshot(), on: socket)
    }

    private static func publish(_ snapshot: MonitorSnapshot, on socket: PublisherEndpoint) {
        let update = MonitorUpdate(sequence: snapshot.sequence, json: snapshot.json())
        guard let frames = try? WireFrames.encode(.monitorUpdate(update), header: WireHeader(worker: 0, sequence: snapshot.sequence)) else { return }
        socket.publish(frames)
    }

    /// Stops publishing and closes the socket.
    package func close() async {
        ticker.cancel()
        await socket.close()
    }
}
