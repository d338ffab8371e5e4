/// A router's bound on unauthenticated connections, as a pure value over the socket monitor's events:
/// a connection counts as unauthenticated from its accept until its first message (none can arrive
/// before the CurveZMQ handshake succeeds). When a new one would make more than `limit` of them, the
/// oldest is cut, so a flood of connections that never finish their handshake cannot hold the door shut
/// for long: each lasts at most `ZMQ_HANDSHAKE_IVL` anyway, and an honest worker sends `REGISTER` as soon
/// as its handshake is done.
package struct ConnectionGuard: Sendable {
    /// Most unauthenticated connections kept at once.
    package let limit: Int
    /// Unauthenticated connections' file descriptors, oldest first.
    package private(set) var waiting: [Int32] = []
    /// Connections cut for being over the limit.
    package private(set) var cut = 0

    /// A guard keeping at most `limit` unauthenticated connections.
    package init(limit: Int) { self.limit = max(1, limit) }

    /// A connection was accepted on `fd`; the connections to cut now (the oldest past the limit).
    package mutating func accepted(_ fd: Int32) -> [Int32] {
        waiting.removeAll { $0 == fd }  // a number reused after a close we did not hear of
        waiting.append(fd)
        guard waiting.count > limit else { return [] }
        let over = Array(waiting.prefix(waiting.count - limit))
        waiting.removeFirst(over.count)
        cut += over.count
        return over
    }

    /// A message arrived on `fd`: its connection is authenticated.
    package mutating func heard(_ fd: Int32) {
        if let index = waiting.firstIndex(of: fd) { waiting.remove(at: index) }
    }

    /// The connection on `fd` closed.
    package mutating func closed(_ fd: Int32) { heard(fd) }
}
