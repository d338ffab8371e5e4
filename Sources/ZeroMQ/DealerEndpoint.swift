import CZeroMQ
import Logging

/// A worker's side of the work socket: a `DEALER` that connects to the learner's router, sends frames
/// and receives the router's frames. Its socket lives on a thread of its own.
///
/// libzmq reconnects by itself when the connection drops: after `SocketLimits.reconnectInterval`
/// (1 s), doubling up to `reconnectIntervalMax` (32 s), with up to one interval of random jitter each
/// time. Messages sent meanwhile wait in the socket's queue (up to the send high-water mark).
package final class DealerEndpoint: Sendable {
    /// The router's messages, in order (one consumer).
    package let incoming: Inbox<[Frame]>
    /// The endpoint connected to, as configured.
    package let endpoint: String
    private let thread: SocketThread<[Frame]>

    /// Connects a dealer as `config` says. Connecting does not wait for the router to be there.
    /// Throws `ZMQError` if the endpoint is malformed, an option is refused, or CurveZMQ is asked for
    /// where libzmq has none.
    package init(_ config: DealerConfig, context: ZMQContext) async throws(ZMQError) {
        try config.validate()
        let thread = try SocketThread<[Frame]>(name: config.name, limits: config.limits, logger: config.logger)
        let setup = SocketThread<[Frame]>.Setup(
            open: { () throws(ZMQError) in try Self.open(config, context: context) },
            assemble: { parts in parts.map { Frame(received: $0) } },
            isRouter: false)
        endpoint = try await thread.start(setup, context: context).get()
        self.thread = thread
        incoming = thread.inbox
        if config.security.isInsecure, config.warnsInsecure, !config.endpoint.isInprocEndpoint {
            config.logger.warning("zmq: \(config.name) to \(endpoint) is INSECURE (--insecure): plain tcp, no CurveZMQ encryption or authentication")
        }
    }

    /// Sends `frames` to the router, in order after earlier sends; returns once libzmq has queued them.
    /// Throws `.sendTimedOut` if the queue stays full (no router for a long time), `.closed` after `close()`.
    package func send(_ frames: [Frame]) async throws(ZMQError) {
        guard !frames.isEmpty else { throw .emptyMessage }
        try await thread.send(frames, peer: nil, operation: "send to \(endpoint)").get()
    }

    /// Queues `frames` for the router and returns at once, without waiting for the socket thread. A later
    /// failure (timeout) is logged and counted in `failedPosts`. Throws only `.emptyMessage`, or `.closed`
    /// after `close()`.
    package func post(_ frames: [Frame]) throws(ZMQError) {
        guard !frames.isEmpty else { throw .emptyMessage }
        guard thread.post(frames, peer: nil) else { throw .closed(operation: "send to \(endpoint)") }
    }

    /// How many posted messages failed after `post` returned.
    package var failedPosts: Int { thread.failedPosts }

    /// Closes the socket (unsent messages are dropped: `ZMQ_LINGER` 0) and returns once its thread has
    /// ended; `incoming` finishes after the messages already received.
    package func close() async { await thread.stop() }

    deinit { thread.requestStop() }

    /// Runs on the socket thread.
    private static func open(_ config: DealerConfig, context: ZMQContext) throws(ZMQError) -> (SocketHandle, endpoint: String) {
        let socket = try SocketHandle(context: context.handle, type: ZMQ_DEALER, name: config.name)
        do throws(ZMQError) {
            try socket.apply(config.limits)
            if let identity = config.identity { try socket.set(ZMQ_ROUTING_ID, bytes: identity.bytes, "ZMQ_ROUTING_ID") }
            if case let .curve(keys, serverKey) = config.security {
                try socket.set(ZMQ_CURVE_SERVERKEY, bytes: serverKey.bytes, "ZMQ_CURVE_SERVERKEY")
                try socket.set(ZMQ_CURVE_PUBLICKEY, bytes: keys.publicKey.bytes, "ZMQ_CURVE_PUBLICKEY")
                try socket.set(ZMQ_CURVE_SECRETKEY, bytes: keys.secretKey.bytes, "ZMQ_CURVE_SECRETKEY")
            }
            guard zmq_connect(socket.raw, config.endpoint) == 0 else { throw ZMQError.last("connect \(config.endpoint) (\(config.name))") }
            return (socket, config.endpoint)
        } catch {
            socket.close()
            throw error
        }
    }
}

extension DealerConfig {
    func validate() throws(ZMQError) {
        if let identity, identity.bytes.isEmpty || identity.bytes.count > 255 || identity.bytes[0] == 0 {
            throw .invalidConfig("routing id \(identity) must be 1 to 255 bytes and not start with a zero byte")
        }
        if case .curve = security {
            try ZMQContext.requireCurve()
            if endpoint.isInprocEndpoint { throw .invalidConfig("\(endpoint): libzmq applies no CurveZMQ to inproc://; use .insecure") }
        }
    }
}
