import Foundation
import ZeroMQ

/// A run's CurveZMQ keys in one folder, as `rlhf launch` writes them: `learner.key` (the learner's pair,
/// mode 0600), `learner.public`, and for each worker `NAME.key` and `NAME.public`. The learner admits
/// exactly the workers whose `.public` files are there; a worker needs its own pair and the learner's
/// public key.
package enum ClusterKeys {
    /// Writes a fresh pair for the learner and for each of `workers` into `folder` (created 0700).
    package static func generate(in folder: URL, workers: [String]) throws -> [String] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var written: [String] = []
        for name in ["learner"] + workers {
            let pair = try CurveKeyPair.generate()
            let secret = folder.appendingPathComponent("\(name).key").path, public_ = folder.appendingPathComponent("\(name).public").path
            try CurveKeyFile.write(pair, to: secret)
            try CurveKeyFile.writePublic(pair.publicKey, to: public_)
            written += [secret, public_]
        }
        return written
    }

    /// The most worker keys a learner reads from its folder.
    package static let maximumWorkers = 4096

    /// The learner's side: its pair and every worker's public key in `folder` (at most `maximumWorkers`).
    package static func server(_ folder: URL) throws -> ServerSecurity {
        let pair = try CurveKeyFile.readPair(from: folder.appendingPathComponent("learner.key").path)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".public") && $0 != "learner.public" }
        guard names.count <= maximumWorkers else {
            throw CurveKeyFileError.malformed(path: folder.path, line: 0, reason: "\(names.count) worker keys; a learner admits at most \(maximumWorkers)")
        }
        let clients = try names.map { try CurveKeyFile.readPublicKey(from: folder.appendingPathComponent($0).path) }
        return .curve(keys: pair, allowedClients: Set(clients))
    }

    /// Worker `name`'s side: its pair and the learner's public key.
    package static func client(_ folder: URL, name: String) throws -> ClientSecurity {
        let pair = try CurveKeyFile.readPair(from: folder.appendingPathComponent("\(name).key").path)
        return .curve(keys: pair, serverKey: try CurveKeyFile.readPublicKey(from: folder.appendingPathComponent("learner.public").path))
    }
}
