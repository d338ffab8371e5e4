import CZeroMQ
import Synchronization

/// A libzmq context: its I/O threads, and the ZAP handler that CurveZMQ routers share.
///
/// Endpoints keep their context alive; it is terminated when the last endpoint has closed its socket and
/// the last reference goes. Create one per process (or per test) and pass it to every endpoint.
package final class ZMQContext: @unchecked Sendable {
    /// The `void *` libzmq gave. Only socket threads and the ZAP thread use it.
    package let handle: UnsafeMutableRawPointer
    private let zap = Mutex<ZAPAuthenticator?>(nil)

    /// A context with `ioThreads` libzmq I/O threads (they move bytes and do CurveZMQ's cryptography;
    /// one moves about 1 GB/s of plain tcp, see docs/PERFORMANCE.md).
    package init(ioThreads: Int = 1) throws(ZMQError) {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("ctx_new") }
        self.handle = handle
        guard zmq_ctx_set(handle, ZMQ_IO_THREADS, Int32(ioThreads)) == 0 else {
            let error = ZMQError.last("ctx_set ZMQ_IO_THREADS=\(ioThreads)")
            zmq_ctx_term(handle)
            throw error
        }
    }

    /// True where this libzmq has CurveZMQ (`zmq_has("curve")`).
    package static var hasCurve: Bool { zmq_has("curve") != 0 }

    /// libzmq's version (major, minor, patch).
    package static var libraryVersion: (major: Int, minor: Int, patch: Int) {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return (Int(major), Int(minor), Int(patch))
    }

    /// Throws `.curveUnavailable` where this libzmq has no CurveZMQ.
    static func requireCurve() throws(ZMQError) {
        guard hasCurve else { throw ZMQError.curveUnavailable }
    }

    /// The context's ZAP handler, started (and bound) on first use. Blocks until it is bound: call it
    /// only from a socket thread.
    func authenticator() throws(ZMQError) -> ZAPAuthenticator {
        let result: Result<ZAPAuthenticator, ZMQError> = zap.withLock { current in
            if let current { return .success(current) }
            do throws(ZMQError) {
                let started = try ZAPAuthenticator.start(context: handle)
                current = started
                return .success(started)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    deinit {
        // Every socket of ours is closed by now (each socket thread holds the context until it closes
        // its socket); shutdown ends the ZAP thread's blocking receive, then term returns.
        zmq_ctx_shutdown(handle)
        while zmq_ctx_term(handle) != 0, zmq_errno() == EINTR {}
    }
}
