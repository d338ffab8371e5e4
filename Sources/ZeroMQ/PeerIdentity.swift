/// A peer's ZeroMQ routing id as a `ROUTER` sees it: the bytes libzmq assigns to a connection, or the
/// ones a `DEALER` chose with `DealerConfig.identity`.
package struct PeerIdentity: Hashable, Sendable, CustomStringConvertible {
    /// The routing id's bytes (1 to 255 of them).
    package var bytes: [UInt8]

    /// An identity from its bytes.
    package init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// An identity spelled as UTF-8 text (a worker's name, say).
    package init(_ text: String) { self.bytes = Array(text.utf8) }

    /// Printable text as it is, anything else as hex (libzmq's own ids start with a zero byte).
    package var description: String {
        if !bytes.isEmpty, bytes.allSatisfy({ $0 >= 0x21 && $0 < 0x7F }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        return "0x" + bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
