import Foundation

/// A host's name as the numeric IPv4 address a ZeroMQ endpoint binds.
package enum NumericAddress {
    /// `name` itself when numeric, else its first IPv4 address (`getaddrinfo`); `host` names it in errors.
    package static func resolve(_ name: String, host: String) throws(LaunchError) -> String {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(name, nil, &hints, &found)
        defer { if let found { freeaddrinfo(found) } }
        guard status == 0, let first = found, let address = first.pointee.ai_addr else {
            throw LaunchError(host: host, reason: "cannot resolve \(name.prefix(100)) to an IPv4 address")
        }
        var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        let numeric = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
            var value = pointer.pointee.sin_addr
            return inet_ntop(AF_INET, &value, &text, socklen_t(INET_ADDRSTRLEN)) != nil
        }
        guard numeric else { throw LaunchError(host: host, reason: "cannot print the address of \(name.prefix(100))") }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
