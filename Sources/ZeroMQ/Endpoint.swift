#if canImport(Glibc)
import Glibc
#endif

/// A ZeroMQ endpoint as a user types it (`tcp://HOST:PORT`, `tcp://[::1]:PORT`, `ipc://PATH`), checked before
/// libzmq sees it: libzmq would take port 99999 as 34463 (it keeps 16 bits), and a bind or connect with a
/// malformed address would fail later, or never.
package struct Endpoint: Sendable, Equatable, CustomStringConvertible {
    /// The transport.
    package enum Transport: String, Sendable { case tcp, ipc }

    /// `tcp` or `ipc`.
    package let transport: Transport
    /// The host (tcp; `*` binds every interface; an IPv6 address without its brackets), or the path (ipc).
    package let host: String
    /// The port (tcp; 0 binds any free port); nil for ipc.
    package let port: Int?

    /// Parses `text` for a bind (`binding`: `*` and port 0 allowed) or a connect; errors say what is wrong.
    package init(parsing text: String, binding: Bool) throws(EndpointError) {
        func fail(_ reason: String) -> EndpointError { EndpointError(endpoint: String(text.prefix(200)), reason: reason) }
        if text.hasPrefix("ipc://") {
            let path = String(text.dropFirst("ipc://".count))
            guard !path.isEmpty, path.utf8.count < 108 else { throw fail("an ipc:// endpoint needs a socket path of 1 to 107 bytes") }
            (transport, host, port) = (.ipc, path, nil)
            return
        }
        guard text.hasPrefix("tcp://") else { throw fail("expected tcp://HOST:PORT or ipc://PATH") }
        let rest = text.dropFirst("tcp://".count)
        let hostPart: Substring, portPart: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]"), rest[rest.index(after: close)...].hasPrefix(":") else {
                throw fail("an IPv6 host goes in brackets: tcp://[::1]:PORT")
            }
            hostPart = rest[rest.index(after: rest.startIndex)..<close]
            portPart = rest[rest.index(close, offsetBy: 2)...]
        } else {
            guard let colon = rest.lastIndex(of: ":") else { throw fail("no port: expected tcp://HOST:PORT") }
            hostPart = rest[..<colon]
            portPart = rest[rest.index(after: colon)...]
        }
        guard !hostPart.isEmpty else { throw fail(binding ? "no host: bind tcp://*:PORT for every interface" : "no host: expected tcp://HOST:PORT") }
        guard hostPart.allSatisfy({ $0.isLetter || $0.isNumber || "-._:*%".contains($0) }), hostPart.utf8.count <= 253 else {
            throw fail("'\(hostPart.prefix(60))' is not a host name or address")
        }
        if hostPart.contains("*") && (!binding || hostPart != "*") { throw fail("* is only a bind's host (every interface)") }
        guard let port = Int(portPart), portPart.allSatisfy(\.isASCII) else { throw fail("the port '\(portPart.prefix(20))' is not a number") }
        guard (binding ? 0 : 1)...65535 ~= port else {
            throw fail(binding ? "the port must be between 0 and 65535 (0: any free port)" : "the port must be between 1 and 65535")
        }
        (transport, host, self.port) = (.tcp, String(hostPart), port)
    }

    /// The endpoint as libzmq takes it.
    package var description: String {
        guard let port else { return "ipc://\(host)" }
        return host.contains(":") ? "tcp://[\(host)]:\(port)" : "tcp://\(host):\(port)"
    }

    /// Whether only this machine can reach it: an ipc socket, or a tcp host in 127.0.0.0/8, `::1` or
    /// `localhost` (never `*`, which binds every interface).
    package var isLoopback: Bool {
        guard transport == .tcp else { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        let ipv4Loopback = octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
        return ipv4Loopback || host == "::1" || host.lowercased() == "localhost"
    }

    /// Whether the host resolves to an address now (always true for ipc, `*` and numeric addresses).
    package var hostResolves: Bool {
        guard transport == .tcp, host != "*" else { return true }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        defer { if let result { freeaddrinfo(result) } }
        return getaddrinfo(host, nil, &hints, &result) == 0
    }
}

/// An endpoint that is not one: which, and why.
package struct EndpointError: Error, CustomStringConvertible, Equatable {
    /// The endpoint as given.
    package let endpoint: String
    /// What is wrong.
    package let reason: String

    package var description: String { "\(endpoint): \(reason)" }
}
