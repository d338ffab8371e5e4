/// The bytes of one received frame, however the transport holds them (a Swift array, or a ZeroMQ
/// message's memory read in place).
package protocol WireFrame {
    /// Bytes in the frame.
    var count: Int { get }
    /// Calls `body` with the frame's bytes.
    func withWireBytes<R>(_ body: (UnsafeRawBufferPointer) throws(WireError) -> R) throws(WireError) -> R
}

extension Array: WireFrame where Element == UInt8 {
    /// Calls `body` with the array's bytes.
    package func withWireBytes<R>(_ body: (UnsafeRawBufferPointer) throws(WireError) -> R) throws(WireError) -> R {
        let result: Result<R, WireError> = withUnsafeBytes { bytes in Result { () throws(WireError) in try body(bytes) } }
        return try result.get()
    }
}

extension UnsafeRawBufferPointer: WireFrame {
    /// Calls `body` with these bytes.
    package func withWireBytes<R>(_ body: (UnsafeRawBufferPointer) throws(WireError) -> R) throws(WireError) -> R {
        try body(self)
    }
}
