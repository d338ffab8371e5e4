import Foundation
import Logging
import Wire
import ZeroMQ

/// A monitor's end of the learner's monitor socket: a CurveZMQ `SUB` with the operator's key that yields
/// each `MONITOR_UPDATE` as a `MonitorSnapshot`, newest sequence only (anything else it receives, or an
/// update that does not decode, is skipped).
package final class MonitorSubscription: Sendable {
    /// The snapshots published from now on, in order.
    package let updates: AsyncStream<MonitorSnapshot>
    private let socket: SubscriberEndpoint
    private let reader: Task<Void, Never>

    /// Subscribes to the monitor socket at `endpoint` with `security`.
    package init(endpoint: String, security: ClientSecurity, logger: Logger) async throws {
        let context = try ZMQContext()
        socket = try await SubscriberEndpoint(endpoint: endpoint, security: security, name: "monitor", logger: logger, context: context)
        let (updates, continuation) = AsyncStream.makeStream(of: MonitorSnapshot.self, bufferingPolicy: .bufferingNewest(4))
        self.updates = updates
        let socket = socket
        reader = Task.detached {
            var newest: UInt64 = 0
            for await frames in socket.incoming {
                guard let envelope = try? WireCodec.decode(frames: frames, from: .learner), case let .monitorUpdate(update) = envelope.message,
                      update.sequence > newest, let snapshot = try? MonitorSnapshot.decode(update.json) else { continue }
                newest = update.sequence
                continuation.yield(snapshot)
            }
            continuation.finish()
        }
    }

    /// The endpoint a monitor connects to for `published` (the socket's own, as the learner bound it), with
    /// a wildcard host (`0.0.0.0`, `*`, `[::]`) replaced by `learner`'s host.
    package static func reachable(_ published: String, learner: String) -> String {
        guard let scheme = published.range(of: "://"), let colon = published.lastIndex(of: ":"), colon > scheme.upperBound else { return published }
        let host = published[scheme.upperBound..<colon]
        guard ["0.0.0.0", "*", "[::]", "::"].contains(host), let learnerScheme = learner.range(of: "://"),
              let learnerColon = learner.lastIndex(of: ":"), learnerColon > learnerScheme.upperBound else { return published }
        return String(published[..<scheme.upperBound]) + learner[learnerScheme.upperBound..<learnerColon] + published[colon...]
    }

    /// Stops reading and closes the socket.
    package func close() async {
        reader.cancel()
        await socket.close()
    }
}
