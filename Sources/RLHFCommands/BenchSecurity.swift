import ArgumentParser
import Cluster
import Foundation
import ZeroMQ

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

/// The learner's and each worker's side of one `BenchSecurity`: for CurveZMQ, fresh keys written into a
/// temporary folder as `rlhf launch` writes them and read back through `ClusterKeys` (the folder is
/// removed once they are read).
struct BenchKeys {
    /// The learner's side.
    let server: ServerSecurity
    /// Worker i's side.
    let clients: [ClientSecurity]

    /// Keys for a learner and `workers` workers.
    init(_ security: BenchSecurity, workers: Int) throws {
        guard security == .curve else {
            server = .insecure
            clients = Array(repeating: .insecure, count: workers)
            return
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-bench-keys-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let names = (0..<workers).map { "worker\($0)" }
        _ = try ClusterKeys.generate(in: folder, workers: names)
        server = try ClusterKeys.server(folder)
        clients = try names.map { try ClusterKeys.client(folder, name: $0) }
    }
}
