import CZeroMQ

/// A libzmq socket, used only on the thread that created it. Option setters throw `ZMQError` naming
/// the option and the socket.
struct SocketHandle {
    let raw: UnsafeMutableRawPointer
    let name: String

    /// A new socket of `type` (`ZMQ_ROUTER`, `ZMQ_DEALER`, `ZMQ_REP`) with `ZMQ_LINGER` 0: closing drops
    /// unsent messages at once instead of waiting for peers.
    init(context: UnsafeMutableRawPointer, type: Int32, name: String) throws(ZMQError) {
        guard let raw = zmq_socket(context, type) else { throw ZMQError.last("socket (\(name))") }
        self.raw = raw
        self.name = name
        do { try set(ZMQ_LINGER, Int32(0), "ZMQ_LINGER") } catch { zmq_close(raw); throw error }
    }

    func set(_ option: Int32, _ value: Int32, _ optionName: String) throws(ZMQError) {
        var value = value
        guard zmq_setsockopt(raw, option, &value, MemoryLayout<Int32>.size) == 0 else {
            throw ZMQError.last("setsockopt \(optionName)=\(value) (\(name))")
        }
    }

    func set(_ option: Int32, _ value: Int64, _ optionName: String) throws(ZMQError) {
        var value = value
        guard zmq_setsockopt(raw, option, &value, MemoryLayout<Int64>.size) == 0 else {
            throw ZMQError.last("setsockopt \(optionName)=\(value) (\(name))")
        }
    }

    /// Sets a binary option (a key, a routing id, a ZAP domain); the value is not put in error text.
    func set(_ option: Int32, bytes: [UInt8], _ optionName: String) throws(ZMQError) {
        let rc = bytes.withUnsafeBytes { zmq_setsockopt(raw, option, $0.baseAddress, $0.count) }
        guard rc == 0 else { throw ZMQError.last("setsockopt \(optionName) (\(name))") }
    }

    func string(_ option: Int32, _ optionName: String) throws(ZMQError) -> String {
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        guard zmq_getsockopt(raw, option, &buffer, &size) == 0 else {
            throw ZMQError.last("getsockopt \(optionName) (\(name))")
        }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func int32(_ option: Int32) -> Int32? {
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        return zmq_getsockopt(raw, option, &value, &size) == 0 ? value : nil
    }

    /// The limits every endpoint's socket gets.
    func apply(_ limits: SocketLimits) throws(ZMQError) {
        try set(ZMQ_MAXMSGSIZE, Int64(limits.maxFrameBytes), "ZMQ_MAXMSGSIZE")
        try set(ZMQ_SNDHWM, Int32(clamping: limits.sendHighWaterMark), "ZMQ_SNDHWM")
        try set(ZMQ_RCVHWM, Int32(clamping: limits.receiveHighWaterMark), "ZMQ_RCVHWM")
        try set(ZMQ_RECONNECT_IVL, limits.reconnectInterval.zmqMilliseconds, "ZMQ_RECONNECT_IVL")
        try set(ZMQ_RECONNECT_IVL_MAX, limits.reconnectIntervalMax.zmqMilliseconds, "ZMQ_RECONNECT_IVL_MAX")
        try set(ZMQ_HANDSHAKE_IVL, max(1, limits.handshakeTimeout.zmqMilliseconds), "ZMQ_HANDSHAKE_IVL")
    }

    func close() { zmq_close(raw) }
}
