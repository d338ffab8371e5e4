import CZeroMQ
import Logging
import Synchronization

/// A message a `RouterEndpoint` received: who sent it and its frames.
package struct RoutedMessage: InboxMessage, Equatable {
    /// The sending peer's routing id; `RouterEndpoint.send(_:to:)` answers it.
    package var peer: PeerIdentity
    /// The frames the peer sent.
    package var frames: [Frame]
    /// The CurveZMQ public key (Z85) the peer's connection authenticated with, as the ZAP handler
    /// reported it (`User-Id`); nil on an insecure socket.
    package var user: String?

    /// A routed message.
    package init(peer: PeerIdentity, frames: [Frame], user: String? = nil) {
        self.peer = peer
        self.frames = frames
        self.user = user
    }

    /// The frames' bytes.
    package var byteCount: Int { frames.byteCount }
}

/// The learner's side of the work socket: a `ROUTER` that binds, receives `(peer, frames)` from every
/// connected `DEALER`, and sends to one peer by its routing id. Its socket lives on a thread of its own.
///
/// `ZMQ_ROUTER_MANDATORY` is on: a send to a peer that is not connected fails with
/// `ZMQError.unknownPeer` instead of vanishing. With `.curve` security only the given client keys get in.
package final class RouterEndpoint: Sendable {
    /// Every peer's messages, in arrival order (one consumer).
    package let incoming: Inbox<RoutedMessage>
    /// The endpoint the socket is bound to, with the real port when the config asked for port 0
    /// (`ZMQ_LAST_ENDPOINT`, e.g. `tcp://127.0.0.1:41733`).
    package let boundEndpoint: String
    private let thread: SocketThread<RoutedMessage>
    private let zapDomain: ZAPDomain

    /// Binds a router as `config` says. Throws `ZMQError` if the endpoint cannot be bound, an option is
    /// refused, or CurveZMQ is asked for where libzmq has none.
    package init(_ config: RouterConfig, context: ZMQContext) async throws(ZMQError) {
        try config.validate()
        let thread = try SocketThread<RoutedMessage>(name: config.name, limits: config.limits, logger: config.logger)
        let zapDomain = ZAPDomain()
        let setup = SocketThread<RoutedMessage>.Setup(
            open: { () throws(ZMQError) in try Self.open(config, context: context, zapDomain: zapDomain) },
            cleanup: { zapDomain.unregister() },
            assemble: { parts in
                guard parts.count >= 2 else { return nil }
                return RoutedMessage(peer: PeerIdentity(Array(parts[0].bytes)), frames: parts.dropFirst().map { Frame(received: $0) },
                                     user: parts[1].userID)
            },
            isRouter: true)
        boundEndpoint = try await thread.start(setup, context: context).get()
        self.thread = thread
        self.zapDomain = zapDomain
        incoming = thread.inbox
        if config.security.isInsecure, config.warnsInsecure, !config.endpoint.isInprocEndpoint {
            config.logger.warning("zmq: \(config.name) on \(boundEndpoint) is INSECURE (--insecure): plain tcp, no CurveZMQ encryption or authentication")
        }
    }

    /// Sends `frames` to `peer`, in order after earlier sends to it; returns once libzmq has queued them
    /// (zero-copy frames are still being written then). Throws `.unknownPeer` if `peer` is not connected,
    /// `.sendTimedOut` if its queue stays full, `.closed` after `close()`.
    package func send(_ frames: [Frame], to peer: PeerIdentity) async throws(ZMQError) {
        guard !frames.isEmpty else { throw .emptyMessage }
        try await thread.send([Frame(peer.bytes)] + frames, peer: peer, operation: "send to \(peer)").get()
    }

    /// Queues `frames` for `peer` and returns at once, without waiting for the socket thread: for answers
    /// whose failure the caller need not see. A later failure (unknown peer, timeout) is logged and counted
    /// in `failedPosts`. Throws only `.emptyMessage`, or `.closed` after `close()`.
    package func post(_ frames: [Frame], to peer: PeerIdentity) throws(ZMQError) {
        guard !frames.isEmpty else { throw .emptyMessage }
        guard thread.post([Frame(peer.bytes)] + frames, peer: peer) else { throw .closed(operation: "send to \(peer)") }
    }

    /// The peers whose queue stayed full past the send timeout since the last call (posts only).
    package func takeStalledPeers() -> [PeerIdentity] { thread.takeStalledPeers() }

    /// The peers a posted message found not connected since the last call (their connection closed).
    package func takeGonePeers() -> [PeerIdentity] { thread.takeGonePeers() }

    /// Connections cut for being over `SocketLimits.maxUnauthenticated` (still in their handshake, or silent).
    package var cutConnections: Int { thread.cutConnections }

    /// How many posted messages failed after `post` returned.
    package var failedPosts: Int { thread.failedPosts }

    /// Admits the CurveZMQ client `key` from now on, beside the keys the config gave: a worker issued
    /// while the run goes on. Throws `.invalidConfig` on an insecure router (it admits anyone already).
    package func admit(_ key: CurveKey) throws(ZMQError) {
        guard zapDomain.admit(key) else { throw .invalidConfig("this router is not CurveZMQ; it has no keys to admit") }
    }

    /// How many CurveZMQ clients this router refused so far (unknown public keys); 0 when insecure.
    package var refusedClients: Int { zapDomain.refusals }

    /// Closes the socket (unsent messages are dropped: `ZMQ_LINGER` 0) and returns once its thread has
    /// ended; `incoming` finishes after the messages already received.
    package func close() async { await thread.stop() }

    deinit { thread.requestStop() }

    /// Runs on the socket thread.
    private static func open(_ config: RouterConfig, context: ZMQContext, zapDomain: ZAPDomain) throws(ZMQError) -> (SocketHandle, endpoint: String) {
        let socket = try SocketHandle(context: context.handle, type: ZMQ_ROUTER, name: config.name)
        do throws(ZMQError) {
            try socket.apply(config.limits)
            try socket.set(ZMQ_ROUTER_MANDATORY, Int32(1), "ZMQ_ROUTER_MANDATORY")
            if config.handover { try socket.set(ZMQ_ROUTER_HANDOVER, Int32(1), "ZMQ_ROUTER_HANDOVER") }
            if case let .curve(keys, allowed) = config.security {
                // The ZAP handler must be bound before the first client's handshake.
                let authenticator = try context.authenticator()
                zapDomain.register(authenticator.register(allowed: allowed, logger: config.logger), on: authenticator)
                try socket.set(ZMQ_ZAP_DOMAIN, bytes: Array(zapDomain.name!.utf8), "ZMQ_ZAP_DOMAIN")
                try socket.set(ZMQ_CURVE_SERVER, Int32(1), "ZMQ_CURVE_SERVER")
                try socket.set(ZMQ_CURVE_SECRETKEY, bytes: keys.secretKey.bytes, "ZMQ_CURVE_SECRETKEY")
            }
            guard zmq_bind(socket.raw, config.endpoint) == 0 else { throw ZMQError.last("bind \(config.endpoint) (\(config.name))") }
            return (socket, try socket.string(ZMQ_LAST_ENDPOINT, "ZMQ_LAST_ENDPOINT"))
        } catch {
            socket.close()
            throw error
        }
    }
}

extension RouterConfig {
    func validate() throws(ZMQError) {
        if case .curve = security {
            try ZMQContext.requireCurve()
            if endpoint.isInprocEndpoint { throw .invalidConfig("\(endpoint): libzmq applies no CurveZMQ to inproc://; use .insecure") }
        }
    }
}

/// The ZAP domain a CurveZMQ router registered (set on its socket thread, read from anywhere).
final class ZAPDomain: Sendable {
    private struct Registration: @unchecked Sendable {
        var name: String
        var authenticator: ZAPAuthenticator
    }

    private let registration = Mutex<Registration?>(nil)

    var name: String? { registration.withLock { $0?.name } }

    func register(_ name: String, on authenticator: ZAPAuthenticator) {
        registration.withLock { $0 = Registration(name: name, authenticator: authenticator) }
    }

    var refusals: Int {
        guard let current = registration.withLock({ $0 }) else { return 0 }
        return current.authenticator.refusals(current.name)
    }

    func admit(_ key: CurveKey) -> Bool {
        guard let current = registration.withLock({ $0 }) else { return false }
        return current.authenticator.admit(key, in: current.name)
    }

    func unregister() {
        if let current = registration.withLock({ $0 }) { current.authenticator.unregister(current.name) }
    }
}
