import CZeroMQ

/// One part of a multipart ZeroMQ message: opaque bytes. The transport never looks inside.
///
/// A frame holds its bytes one of three ways:
/// - a Swift `[UInt8]` (`init(_:)`), copied into libzmq when sent;
/// - memory someone else owns (`init(unsafeBytes:owner:)`), handed to libzmq without a copy: libzmq keeps
///   `owner` alive until its I/O thread has written the bytes, so a weight snapshot can go out as ~1 MiB
///   slices of one allocation;
/// - a received message, read in place (`withUnsafeBytes`) and released when the last copy of the frame goes.
package struct Frame: Sendable {
    enum Storage: @unchecked Sendable {
        case array([UInt8])
        /// `owner` keeps `bytes` alive and unchanged for as long as the frame (or libzmq) needs them.
        case borrowed(UnsafeRawBufferPointer, owner: any AnyObject & Sendable)
        case received(ReceivedMessage)
    }

    let storage: Storage

    /// A frame that holds `bytes` (copied into libzmq on send).
    package init(_ bytes: [UInt8]) { storage = .array(bytes) }

    /// A frame of UTF-8 text.
    package init(_ text: String) { storage = .array(Array(text.utf8)) }

    /// A frame over memory that `owner` keeps alive and that nobody writes while the frame or libzmq holds
    /// it. Sending does not copy: libzmq retains `owner` until its I/O thread is done with the bytes.
    package init(unsafeBytes bytes: UnsafeRawBufferPointer, owner: any AnyObject & Sendable) {
        storage = .borrowed(bytes, owner: owner)
    }

    init(received: ReceivedMessage) { storage = .received(received) }

    /// The number of bytes.
    package var count: Int {
        switch storage {
        case let .array(bytes): bytes.count
        case let .borrowed(bytes, _): bytes.count
        case let .received(message): message.count
        }
    }

    /// Calls `body` with the frame's bytes, valid only inside `body`.
    package func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        switch storage {
        case let .array(bytes):
            // `withUnsafeBytes` on Array rethrows untyped; keep the typed error through a Result.
            let result: Result<R, E> = bytes.withUnsafeBytes { buffer in
                do throws(E) { return .success(try body(buffer)) } catch { return .failure(error) }
            }
            return try result.get()
        case let .borrowed(bytes, owner):
            return try withExtendedLifetime(owner) { () throws(E) -> R in try body(bytes) }
        case let .received(message):
            return try withExtendedLifetime(message) { () throws(E) -> R in try body(message.bytes) }
        }
    }

    /// A copy of the bytes.
    package var bytes: [UInt8] {
        if case let .array(bytes) = storage { return bytes }
        return withUnsafeBytes { Array($0.bindMemory(to: UInt8.self)) }
    }
}

extension Frame: Equatable {
    /// Frames are equal when their bytes are.
    package static func == (lhs: Frame, rhs: Frame) -> Bool {
        lhs.count == rhs.count && lhs.withUnsafeBytes { a in rhs.withUnsafeBytes { b in a.elementsEqual(b) } }
    }
}

extension Frame: CustomStringConvertible {
    package var description: String { "Frame(\(count) bytes)" }
}

/// A `zmq_msg_t` that libzmq filled on receive, kept until the last frame referring to it goes.
/// It is never written after the receive, so it can be read from any thread.
final class ReceivedMessage: @unchecked Sendable {
    let message: UnsafeMutablePointer<zmq_msg_t>
    let bytes: UnsafeRawBufferPointer

    /// Takes over `message`, which must be initialised and hold a received frame.
    init(taking message: UnsafeMutablePointer<zmq_msg_t>) {
        self.message = message
        let size = zmq_msg_size(message)
        bytes = UnsafeRawBufferPointer(start: size == 0 ? nil : zmq_msg_data(message), count: size)
    }

    var count: Int { bytes.count }

    /// The `User-Id` the ZAP handler gave the connection this frame came on (nil without one).
    var userID: String? {
        guard let value = zmq_msg_gets(message, "User-Id") else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    deinit {
        zmq_msg_close(message)
        message.deallocate()
    }
}
