/// The limits and timers set on every endpoint's socket (PROTOCOL.md section 9).
package struct SocketLimits: Sendable, Equatable {
    /// `ZMQ_MAXMSGSIZE`: the largest inbound frame; a peer that sends a larger one is disconnected by libzmq.
    /// Default 64 MiB (the body limit) plus 1 MiB of margin.
    package var maxFrameBytes: Int = 65 << 20
    /// `ZMQ_SNDHWM`: messages queued per peer before a send waits.
    package var sendHighWaterMark: Int = 1000
    /// `ZMQ_RCVHWM`: messages queued per peer on the receive side.
    package var receiveHighWaterMark: Int = 1000
    /// `ZMQ_RECONNECT_IVL`: the first wait before reconnecting to a peer that went away.
    package var reconnectInterval: Duration = .seconds(1)
    /// `ZMQ_RECONNECT_IVL_MAX`: libzmq doubles the wait after each failed try up to this, adding a random
    /// jitter of up to one `reconnectInterval` each time.
    package var reconnectIntervalMax: Duration = .seconds(32)
    /// How long a send waits for room (its peer's queue at the high-water mark) before it fails.
    package var sendTimeout: Duration = .seconds(30)
    /// Received messages held for the consumer before the socket thread stops reading (then libzmq's
    /// receive high-water mark and TCP push back on the sender).
    package var inboxMessages: Int = 10_000
    /// Received bytes held for the consumer before the socket thread stops reading.
    package var inboxBytes: Int = 1 << 30
    /// `ZMQ_HANDSHAKE_IVL`: a connection whose handshake (CurveZMQ included) has not finished by then is closed.
    package var handshakeTimeout: Duration = .seconds(10)
    /// A router's most connections still in their handshake (or silent since); past it the oldest is cut
    /// (`ConnectionGuard`).
    package var maxUnauthenticated: Int = 64

    /// The defaults.
    package init() {}
}

extension Duration {
    /// Whole milliseconds, at least 0 and at most `Int32.max` (libzmq's option type).
    var zmqMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        let ms = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        return Int32(max(0, min(ms.rounded(), Double(Int32.max))))
    }

    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
