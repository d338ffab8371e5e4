/// How a generator of another host takes a version's chunks when the learner's channel is CurveZMQ
/// (PROTOCOL.md section 7): from the learner's plain weights socket, each chunk sealed once for every
/// generator with AES-256-GCM under a key made for that version alone. The key and the ticket travel only
/// inside the CurveZMQ channel, in the manifest.
package struct SealedStream: Sendable, Equatable {
    /// Bytes of the version's key.
    package static let keyBytes = 32
    /// Bytes of a ticket.
    package static let ticketBytes = 16

    /// The version's AES-256-GCM key.
    package var key: [UInt8]
    /// The weights socket's TCP port, on the host the worker reaches the learner at.
    package var port: Int
    /// This generator's ticket for the version, sent with each request on the weights socket.
    package var ticket: [UInt8]

    /// Creates one.
    package init(key: [UInt8], port: Int, ticket: [UInt8]) {
        self.key = key; self.port = port; self.ticket = ticket
    }
}
