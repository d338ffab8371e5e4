/// Why a message was not encoded or decoded. A receiver drops the message, counts it and logs the
/// description (one line); nothing on the wire can crash it (PROTOCOL.md section 2).
package enum WireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The message has `got` frames; its kind (nil: not known yet) needs `expected`.
    case frameCount(got: Int, expected: Int, kind: MessageKind?)
    /// Frame `frame` holds `bytes` bytes, over its `limit`.
    case frameTooLarge(frame: Int, bytes: Int, limit: Int)
    /// `part` (`"header"`, `"ROLLOUT body"`) is not protobuf of its type, or would take more memory to
    /// unpack than its size allows.
    case unparseable(String)
    /// The header speaks another protocol version.
    case protocolVersion(UInt32)
    /// The header's kind is not one this version knows.
    case unknownKind(Int32)
    /// A kind `peer` does not send.
    case wrongSender(MessageKind, WirePeer)
    /// A required field (`"RolloutTask.id"`) is absent.
    case missingField(String)
    /// `field` holds `value`, which is not `expected`.
    case outOfRange(field: String, value: String, expected: String)
    /// Fields that must agree do not (row lengths that do not sum to the packed array, rows of different
    /// counts, overlapping tensors, a repeated name).
    case inconsistent(String)
    /// `field` is not valid UTF-8.
    case invalidText(String)
    /// Encoding: `field` holds `value`, which its wire type cannot carry (an id over Int32, a NUL in a string).
    case unrepresentable(field: String, value: String)

    /// What was wrong, in one line, naming the field or frame.
    package var description: String {
        switch self {
        case let .frameCount(got, expected, kind):
            "\(kind.map { "a \($0) message" } ?? "a message") has \(got) frame\(got == 1 ? "" : "s"); it needs \(expected)"
        case let .frameTooLarge(frame, bytes, limit):
            "frame \(frame) holds \(bytes) bytes, over its limit of \(limit)"
        case let .unparseable(part):
            "the \(part) does not parse as protobuf (or would take more memory than its size allows)"
        case let .protocolVersion(version):
            "protocol version \(version); this build speaks \(WireProtocol.version)"
        case let .unknownKind(kind):
            "unknown message kind \(kind)"
        case let .wrongSender(kind, peer):
            "a \(peer) does not send \(kind)"
        case let .missingField(field):
            "\(field) is missing"
        case let .outOfRange(field, value, expected):
            "\(field) is \(value); it must be \(expected)"
        case let .inconsistent(what):
            what
        case let .invalidText(field):
            "\(field) is not UTF-8"
        case let .unrepresentable(field, value):
            "\(field) holds \(value), which the wire cannot carry"
        }
    }
}
