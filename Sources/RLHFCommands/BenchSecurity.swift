import ArgumentParser

/// How the transport bench's sockets are secured: plain tcp (`--insecure`) or CurveZMQ.
enum BenchSecurity: String, Sendable, Encodable, CaseIterable {
    case plain, curve
}

/// `rlhf bench transport --security`: which of the two securities to measure.
enum BenchSecurityChoice: String, ExpressibleByArgument, CaseIterable {
    case both, plain, curve

    /// The securities measured, plain first.
    var modes: [BenchSecurity] {
        switch self {
        case .both: [.plain, .curve]
        case .plain: [.plain]
        case .curve: [.curve]
        }
    }
}
