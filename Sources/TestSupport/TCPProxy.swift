import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP forwarder on loopback that a test can cut and bring back: it listens on 127.0.0.1 (a port of
/// its own), and copies bytes both ways between each client and `target`. `cut()` closes the listener
/// and every connection (a network blip, as the peers see it); `resume()` listens on the same port again.
package final class TCPProxy: @unchecked Sendable {
    /// The port clients connect to.
    package private(set) var port: UInt16 = 0
    private let targetPort: UInt16
    private let lock = NSLock()
    private var listener: Int32 = -1
    private var open: Set<Int32> = []
    /// Connections accepted so far.
    package private(set) var accepted = 0

    /// A proxy to 127.0.0.1:`targetPort`, listening at once.
    package init(to targetPort: UInt16) throws {
        self.targetPort = targetPort
        try listen()
    }

    deinit { cut() }

    /// `tcp://127.0.0.1:PORT`, for a ZeroMQ peer.
    package var endpoint: String { "tcp://127.0.0.1:\(port)" }

    /// Closes the listener and every connection through it.
    package func cut() {
        lock.lock()
        let sockets = open.union(listener >= 0 ? [listener] : [])
        open = []
        listener = -1
        lock.unlock()
        for socket in sockets {
            shutdown(socket, Int32(SHUT_RDWR))
            close(socket)
        }
    }

    /// Listens again, on the same port.
    package func resume() throws { try listen() }

    private func listen() throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw ProxyError("socket: errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(socket, 16) == 0 else {
            close(socket)
            throw ProxyError("bind/listen on port \(port): errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        lock.lock()
        listener = socket
        lock.unlock()
        Thread.detachNewThread { [weak self] in self?.acceptLoop(socket) }
    }

    private func acceptLoop(_ socket: Int32) {
        while true {
            let client = accept(socket, nil, nil)
            guard client >= 0 else { return }  // cut
            let upstream = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(targetPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            lock.lock()
            let live = listener == socket
            if live && connected == 0 {
                open.insert(client)
                open.insert(upstream)
                accepted += 1
            }
            lock.unlock()
            guard live && connected == 0 else {
                close(client)
                close(upstream)
                if live { continue } else { return }
            }
            Thread.detachNewThread { Self.pump(from: client, to: upstream) }
            Thread.detachNewThread { Self.pump(from: upstream, to: client) }
        }
    }

    /// Copies bytes from one socket to the other until either end closes.
    private static func pump(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            var sent = 0
            while sent < count {
                let n = buffer.withUnsafeBytes { send(destination, $0.baseAddress! + sent, count - sent, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { shutdown(source, Int32(SHUT_RDWR)); return }
                sent += n
            }
        }
        shutdown(destination, Int32(SHUT_RDWR))
    }

    private static func loopback(_ port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// A proxy that could not listen.
    package struct ProxyError: Error, CustomStringConvertible {
        /// What failed.
        package let description: String
        init(_ description: String) { self.description = description }
    }
}
