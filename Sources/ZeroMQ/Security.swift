import Logging

/// How a `RouterEndpoint` admits peers.
package enum ServerSecurity: Sendable, Equatable {
    /// CurveZMQ: traffic is encrypted, and only clients whose public key is in `allowedClients` get in
    /// (checked by the context's ZAP handler); any other peer is answered nothing.
    case curve(keys: CurveKeyPair, allowedClients: Set<CurveKey>)
    /// Plain tcp, no encryption and no authentication: the `--insecure` flag. The endpoint logs a warning.
    /// `inproc://` endpoints take this (libzmq applies no security mechanism in-process).
    case insecure

    /// True for `.insecure`.
    package var isInsecure: Bool { self == .insecure }

    /// The same keys admitting only `clients` (Z85; `.insecure` stays insecure).
    package func allowing(_ clients: Set<String>) -> ServerSecurity {
        guard case let .curve(keys, _) = self else { return self }
        return .curve(keys: keys, allowedClients: Set(clients.compactMap { CurveKey(z85: $0) }))
    }
}

/// How a `DealerEndpoint` proves who it is.
package enum ClientSecurity: Sendable, Equatable {
    /// CurveZMQ with this side's `keys`, talking only to the server whose public key is `serverKey`.
    case curve(keys: CurveKeyPair, serverKey: CurveKey)
    /// Plain tcp: the `--insecure` flag. The endpoint logs a warning.
    case insecure

    /// True for `.insecure`.
    package var isInsecure: Bool { self == .insecure }
}

/// Where and how a `RouterEndpoint` binds.
package struct RouterConfig: Sendable {
    /// A ZeroMQ endpoint: `tcp://*:5555`, `tcp://127.0.0.1:0` (port 0: any free port, see
    /// `RouterEndpoint.boundEndpoint`), `inproc://learner`.
    package var endpoint: String
    /// CurveZMQ with the allowed client keys, or `.insecure`.
    package var security: ServerSecurity
    /// Limits and timers.
    package var limits: SocketLimits
    /// `ZMQ_ROUTER_HANDOVER`: a peer that connects with the routing id of one already connected takes
    /// that id over (a restarted worker that chose its id), instead of being refused.
    package var handover: Bool
    /// A short name for the socket's thread and log lines.
    package var name: String
    /// Where the endpoint logs (the insecure warning, failures on its thread).
    package var logger: Logger
    /// Whether an insecure endpoint warns (false for one plain on purpose: the learner's weights socket,
    /// whose chunks are sealed).
    package var warnsInsecure = true

    /// A configuration with the default limits.
    package init(endpoint: String, security: ServerSecurity, limits: SocketLimits = SocketLimits(),
                handover: Bool = true, name: String = "router", logger: Logger = Logger(label: "rlhf.zmq")) {
        self.endpoint = endpoint
        self.security = security
        self.limits = limits
        self.handover = handover
        self.name = name
        self.logger = logger
    }
}

/// Where and how a `DealerEndpoint` connects.
package struct DealerConfig: Sendable {
    /// The router's endpoint: `tcp://learner-host:5555`, `inproc://learner`.
    package var endpoint: String
    /// CurveZMQ with the server's public key, or `.insecure`.
    package var security: ClientSecurity
    /// Limits and timers (`reconnectInterval` and `reconnectIntervalMax` drive reconnection).
    package var limits: SocketLimits
    /// `ZMQ_ROUTING_ID`: the id the router sees (1 to 255 bytes, not starting with a zero byte); nil lets
    /// the router assign one per connection.
    package var identity: PeerIdentity?
    /// A short name for the socket's thread and log lines.
    package var name: String
    /// Where the endpoint logs (the insecure warning, failures on its thread).
    package var logger: Logger
    /// Whether an insecure endpoint warns (false for one plain on purpose: the learner's weights socket,
    /// whose chunks are sealed).
    package var warnsInsecure = true

    /// A configuration with the default limits.
    package init(endpoint: String, security: ClientSecurity, limits: SocketLimits = SocketLimits(),
                identity: PeerIdentity? = nil, name: String = "dealer", logger: Logger = Logger(label: "rlhf.zmq")) {
        self.endpoint = endpoint
        self.security = security
        self.limits = limits
        self.identity = identity
        self.name = name
        self.logger = logger
    }
}

extension String {
    /// True for the transports that carry a security mechanism (`tcp://`, `ipc://`, ...), false for `inproc://`.
    var isInprocEndpoint: Bool { hasPrefix("inproc://") }
}
