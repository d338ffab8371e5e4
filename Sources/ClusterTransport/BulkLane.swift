import Synchronization
import ZeroMQ

/// The learner's second receive lane: messages over `thresholdBytes` (rollouts, results) are decoded
/// here, apart from the first lane that answers heartbeats and small messages at once, so a peer sending
/// large frames never holds up another's heartbeat. A peer's later small messages follow its pending
/// large ones through this lane, so each peer's order is kept (heartbeats aside: they only say it lives).
///
/// A worker holds one lease at a time, so it never has more than one large message pending; a peer with
/// `perPeerLimit` pending, or one that would take the lane past `totalBytesLimit`, is flooding: its
/// message is dropped (`cluster/refused/flood`), and a lease it held is issued again when it is late.
final class BulkLane: Sendable {
    /// One message waiting for its turn, and its size.
    struct Item: Sendable {
        var message: RoutedMessage
        var bytes: Int
    }

    /// Messages at or under this size take the first lane (unless their peer has large ones pending).
    static let thresholdBytes = 64 << 10
    /// Large messages one peer may have pending, and bytes the lane may hold in all.
    let perPeerLimit: Int, totalBytesLimit: Int
    /// The lane's messages, in arrival order.
    let items: AsyncStream<Item>
    private let continuation: AsyncStream<Item>.Continuation
    private struct Level { var pending: [PeerIdentity: Int] = [:]; var bytes = 0 }
    private let level = Mutex(Level())

    /// An empty lane.
    init(perPeerLimit: Int = 2, totalBytesLimit: Int = 512 << 20) {
        self.perPeerLimit = perPeerLimit
        self.totalBytesLimit = totalBytesLimit
        (items, continuation) = AsyncStream.makeStream(of: Item.self)
    }

    /// What the first lane does with `message`.
    enum Route { case now, queued, flood }

    /// Queues `message` here when it is large or its peer has messages here (`.queued`), drops it when its
    /// peer or the lane is over the limit (`.flood`), or leaves it to the first lane (`.now`).
    func route(_ message: RoutedMessage, isHeartbeat: Bool) -> Route {
        let bytes = message.frames.byteCount
        let route: Route = level.withLock { level in
            let pending = level.pending[message.peer, default: 0]
            let large = bytes > Self.thresholdBytes
            if isHeartbeat || (!large && pending == 0) { return .now }
            if large && (pending >= perPeerLimit || level.bytes + bytes > totalBytesLimit) { return .flood }
            level.pending[message.peer] = pending + 1
            level.bytes += bytes
            return .queued
        }
        if case .queued = route { continuation.yield(Item(message: message, bytes: bytes)) }
        return route
    }

    /// The lane has handled `item`.
    func done(_ item: Item) {
        level.withLock { level in
            level.bytes -= item.bytes
            let left = level.pending[item.message.peer, default: 1] - 1
            level.pending[item.message.peer] = left > 0 ? left : nil
        }
    }

    /// Ends the lane.
    func finish() { continuation.finish() }
}
