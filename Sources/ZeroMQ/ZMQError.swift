import CZeroMQ

/// What went wrong in the ZeroMQ transport: every case says what was being done, and a libzmq failure
/// carries its errno and the text libzmq gives for it.
package enum ZMQError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A libzmq call failed: `operation` names it and its argument (`"bind tcp://*:5555"`).
    case failed(operation: String, errno: Int32)
    /// A `ROUTER` send named a peer that is not connected (libzmq's `EHOSTUNREACH` under
    /// `ZMQ_ROUTER_MANDATORY`): the message was not sent.
    case unknownPeer(PeerIdentity)
    /// The endpoint was closed before or while `operation` ran.
    case closed(operation: String)
    /// A send waited longer than `SocketLimits.sendTimeout` for room in the peer's queue.
    case sendTimedOut(operation: String, seconds: Double)
    /// A message with no frames; ZeroMQ has no empty multipart message.
    case emptyMessage
    /// CurveZMQ was asked for but this libzmq was built without it (`zmq_has("curve")` is 0).
    case curveUnavailable
    /// An endpoint configuration that cannot work (`reason` says why).
    case invalidConfig(String)

    /// The errno behind a `.failed` error, else nil.
    package var errno: Int32? {
        if case let .failed(_, code) = self { return code }
        return nil
    }

    package var description: String {
        switch self {
        case let .failed(operation, code):
            "zmq \(operation) failed: \(String(cString: zmq_strerror(code))) (errno \(code))"
        case let .unknownPeer(peer):
            "zmq send to peer \(peer) failed: no such peer is connected (EHOSTUNREACH)"
        case let .closed(operation):
            "zmq \(operation) failed: the endpoint is closed"
        case let .sendTimedOut(operation, seconds):
            "zmq \(operation) timed out after \(seconds) s: the peer's queue stayed full"
        case .emptyMessage:
            "zmq send failed: a message needs at least one frame"
        case .curveUnavailable:
            "CurveZMQ is not available: this libzmq was built without libsodium (zmq_has(\"curve\") is 0); install a libzmq with CURVE or run with --insecure"
        case let .invalidConfig(reason):
            "invalid zmq endpoint configuration: \(reason)"
        }
    }

    /// The error for the libzmq call that just failed on this thread.
    static func last(_ operation: @autoclosure () -> String) -> ZMQError {
        .failed(operation: operation(), errno: zmq_errno())
    }
}
