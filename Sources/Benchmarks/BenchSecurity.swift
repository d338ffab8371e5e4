/// How the transport bench's sockets are secured: plain tcp (`--insecure`) or CurveZMQ.
package enum BenchSecurity: String, Sendable, Encodable, CaseIterable {
    case plain, curve
}
