/// The protocol's version and limits (PROTOCOL.md sections 2 and 9).
package enum WireProtocol {
    /// The version this build speaks; a message of another is refused.
    package static let version: UInt32 = 1
    /// Most bytes of a header frame (frame 0).
    package static let headerLimit = 64 << 10
    /// Most bytes of a body frame (frame 1).
    package static let bodyLimit = 64 << 20
    /// Most bytes of a weight chunk's payload frame (frame 2).
    package static let chunkLimit = 4 << 20
    /// Most rows in one task or result.
    package static let rowLimit = 1 << 16
    /// Most bytes of `Welcome.configDigest`.
    package static let digestLimit = 64
    /// Longest run config a `Welcome` carries, in bytes.
    package static let configLimit = 1 << 20
}

/// The header fields a sender chooses; the protocol version and the kind are filled in by `WireCodec`.
package struct WireHeader: Sendable, Hashable {
    /// The worker's number from `Welcome` (the sender's, or the addressee's from the learner); 0 before it.
    package var worker: UInt32
    /// The sender's message count, from 1.
    package var sequence: UInt64

    /// Creates a header.
    package init(worker: UInt32, sequence: UInt64) { self.worker = worker; self.sequence = sequence }
}

/// A decoded message: its header and its body.
package struct WireEnvelope: Sendable, Equatable {
    /// Who and which message.
    package var header: WireHeader
    /// What it says.
    package var message: WireMessage

    /// Creates an envelope.
    package init(header: WireHeader, message: WireMessage) { self.header = header; self.message = message }
}
