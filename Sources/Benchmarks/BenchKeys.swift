import ClusterTransport
import Foundation
import ZeroMQ

/// The learner's and each worker's side of one `BenchSecurity`: for CurveZMQ, fresh keys written into a
/// temporary folder as `rlhf launch` writes them and read back through `ClusterKeys` (the folder is
/// removed once they are read).
package struct BenchKeys {
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
        server = try ClusterKeys.server(ClusterKeys.learnerFolder(in: folder))
        clients = try names.map { try ClusterKeys.client(ClusterKeys.workerFolder(in: folder, name: $0), name: $0) }
    }
}
