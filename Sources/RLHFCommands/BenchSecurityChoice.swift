import ArgumentParser
import Benchmarks

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
