import CZeroMQ
import Logging

/// A `PUB` socket that binds and publishes to every subscriber, on a thread of its own. A publish never
/// waits: a subscriber whose queue is at the high-water mark loses the message (libzmq drops it for that
/// subscriber alone), so a slow or stopped reader costs the publisher nothing. With `.curve` security only
/// the given client keys may subscribe.
package final class PublisherEndpoint: Sendable {
    /// The endpoint the socket is bound to, with the real port when port 0 was asked for.
    package let boundEndpoint: String
    private let thread: SocketThread<[Frame]>
    private let zapDomain: ZAPDomain

    /// Binds a publisher at `endpoint` with `security`, keeping at most `queued` messages per subscriber.
    package init(endpoint: String, security: ServerSecurity, queued: Int = 16, name: String, logger: Logger,
                 context: ZMQContext) async throws(ZMQError) {
        try RouterConfig(endpoint: endpoint, security: security, name: name, logger: logger).validate()
        let limits = { var limits = SocketLimits(); limits.sendHighWaterMark = queued; return limits }()
        let thread = try SocketThread<[Frame]>(name: name, limits: limits, logger: logger)
        let zapDomain = ZAPDomain()
        let setup = SocketThread<[Frame]>.Setup(
            open: { () throws(ZMQError) in
                let socket = try SocketHandle(context: context.handle, type: ZMQ_PUB, name: name)
                do throws(ZMQError) {
                    try socket.apply(limits)
                    if case let .curve(keys, allowed) = security {
                        let authenticator = try context.authenticator()
                        zapDomain.register(authenticator.register(allowed: allowed, logger: logger), on: authenticator)
                        try socket.set(ZMQ_ZAP_DOMAIN, bytes: Array(zapDomain.name!.utf8), "ZMQ_ZAP_DOMAIN")
                        try socket.set(ZMQ_CURVE_SERVER, Int32(1), "ZMQ_CURVE_SERVER")
                        try socket.set(ZMQ_CURVE_SECRETKEY, bytes: keys.secretKey.bytes, "ZMQ_CURVE_SECRETKEY")
                    }
                    guard zmq_bind(socket.raw, endpoint) == 0 else { throw ZMQError.last("bind \(endpoint) (\(name))") }
                    return (socket, try socket.string(ZMQ_LAST_ENDPOINT, "ZMQ_LAST_ENDPOINT"))
                } catch {
                    socket.close()
                    throw error
                }
            },
            cleanup: { zapDomain.unregister() },
            assemble: { _ in nil },
            isRouter: false)
        boundEndpoint = try await thread.start(setup, context: context).get()
        self.thread = thread
        self.zapDomain = zapDomain
    }

    /// Queues `frames` for every subscriber and returns at once; false once closed.
    @discardableResult
    package func publish(_ frames: [Frame]) -> Bool {
        !frames.isEmpty && thread.post(frames, peer: nil)
    }

    /// Lets the CurveZMQ client `key` subscribe from now on.
    package func admit(_ key: CurveKey) { _ = zapDomain.admit(key) }

    /// Closes the socket and returns once its thread has ended.
    package func close() async { await thread.stop() }

    deinit { thread.requestStop() }
}

/// A `SUB` socket that connects to a publisher and receives everything it publishes (from the moment
/// the subscription reaches it), on a thread of its own; libzmq reconnects by itself.
package final class SubscriberEndpoint: Sendable {
    /// The published messages, in order (one consumer).
    package let incoming: Inbox<[Frame]>
    private let thread: SocketThread<[Frame]>

    /// Connects to `endpoint` with `security` and subscribes to every message.
    package init(endpoint: String, security: ClientSecurity, name: String, logger: Logger, context: ZMQContext) async throws(ZMQError) {
        let config = DealerConfig(endpoint: endpoint, security: security, name: name, logger: logger)
        try config.validate()
        let thread = try SocketThread<[Frame]>(name: name, limits: config.limits, logger: logger)
        let setup = SocketThread<[Frame]>.Setup(
            open: { () throws(ZMQError) in
                let socket = try SocketHandle(context: context.handle, type: ZMQ_SUB, name: name)
                do throws(ZMQError) {
                    try socket.apply(config.limits)
                    if case let .curve(keys, serverKey) = security {
                        try socket.set(ZMQ_CURVE_SERVERKEY, bytes: serverKey.bytes, "ZMQ_CURVE_SERVERKEY")
                        try socket.set(ZMQ_CURVE_PUBLICKEY, bytes: keys.publicKey.bytes, "ZMQ_CURVE_PUBLICKEY")
                        try socket.set(ZMQ_CURVE_SECRETKEY, bytes: keys.secretKey.bytes, "ZMQ_CURVE_SECRETKEY")
                    }
                    try socket.set(ZMQ_SUBSCRIBE, bytes: [], "ZMQ_SUBSCRIBE")
                    guard zmq_connect(socket.raw, endpoint) == 0 else { throw ZMQError.last("connect \(endpoint) (\(name))") }
                    return (socket, endpoint)
                } catch {
                    socket.close()
                    throw error
                }
            },
            assemble: { parts in parts.map { Frame(received: $0) } },
            isRouter: false)
        _ = try await thread.start(setup, context: context).get()
        self.thread = thread
        incoming = thread.inbox
    }

    /// Closes the socket and returns once its thread has ended.
    package func close() async { await thread.stop() }

    deinit { thread.requestStop() }
}
