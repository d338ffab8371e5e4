import Foundation
import ZeroMQ

/// A run's CurveZMQ keys, as `rlhf launch` writes them, one folder per process so that each gets only
/// what it needs: `learner/` holds the learner's pair (`learner.key`, mode 0600), `learner.public` and
/// every worker's `NAME.public` (the learner admits exactly those workers, each only as the worker its
/// key was issued for); `NAME/` holds worker NAME's pair and `learner.public`, and no other secret.
/// `operator/` holds the operator's pair and `learner.public`: the control commands (`rlhf checkpoint`,
/// `stop`, `drain`, `status`) connect with it, and the learner obeys only `operator.public`'s holder.
package enum ClusterKeys {
    /// The learner's folder within a run's key folder.
    package static func learnerFolder(in folder: URL) -> URL { folder.appendingPathComponent("learner") }

    /// The operator's key name, folder and files' stem: `operator/operator.key`, `learner/operator.public`.
    package static let operatorName = "operator"

    /// The operator's folder within a run's key folder.
    package static func operatorFolder(in folder: URL) -> URL { folder.appendingPathComponent(operatorName) }

    /// Worker `name`'s folder within a run's key folder.
    package static func workerFolder(in folder: URL, name: String) -> URL { folder.appendingPathComponent(name) }

    /// Writes a fresh pair for the learner, the operator and each of `workers` into their folders under
    /// `folder` (each created 0700); returns the files written.
    package static func generate(in folder: URL, workers: [String]) throws -> [String] {
        let workers = workers + [operatorName]
        let learner = learnerFolder(in: folder)
        for directory in [folder, learner] + workers.map({ workerFolder(in: folder, name: $0) }) {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        var written: [String] = []
        let learnerPair = try CurveKeyPair.generate()
        let learnerPublic = ["learner/learner"] + workers.map { "\($0)/learner" }
        try CurveKeyFile.write(learnerPair, to: learner.appendingPathComponent("learner.key").path)
        written.append(learner.appendingPathComponent("learner.key").path)
        for place in learnerPublic {
            let path = folder.appendingPathComponent("\(place).public").path
            try CurveKeyFile.writePublic(learnerPair.publicKey, to: path)
            written.append(path)
        }
        for name in workers {
            let pair = try CurveKeyPair.generate()
            let own = workerFolder(in: folder, name: name)
            try CurveKeyFile.write(pair, to: own.appendingPathComponent("\(name).key").path)
            try CurveKeyFile.writePublic(pair.publicKey, to: learner.appendingPathComponent("\(name).public").path)
            written += [own.appendingPathComponent("\(name).key").path, learner.appendingPathComponent("\(name).public").path]
        }
        return written
    }

    /// Writes a fresh pair for worker `name` into `into/NAME/` (0700): `NAME.key` and `learner.public`
    /// (`learnerPublic`); returns the new public key, for the learner to admit (`rlhf keys issue`, and
    /// the launcher scaling up). Refuses to overwrite a folder that exists.
    package static func issue(_ name: String, into folder: URL, learnerPublic: CurveKey) throws -> CurveKey {
        let own = workerFolder(in: folder, name: name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // fails if it exists: two issuers never share a folder
        try FileManager.default.createDirectory(at: own, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let pair = try CurveKeyPair.generate()
        try CurveKeyFile.write(pair, to: own.appendingPathComponent("\(name).key").path)
        try CurveKeyFile.writePublic(learnerPublic, to: own.appendingPathComponent("learner.public").path)
        return pair.publicKey
    }

    /// The next unused index of `role` among the worker folders in `folder` and the names in `taken`.
    package static func nextIndex(_ role: String, in folder: URL, taken: Set<String> = []) -> Int {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []) + Array(taken)
        let indices = names.compactMap { name -> Int? in
            guard name.hasPrefix(role + "-") else { return nil }
            return Int(name.dropFirst(role.count + 1))
        }
        return (indices.max() ?? -1) + 1
    }

    /// Every key file under a run's key folder `folder` (its own and each process's folder), sorted.
    package static func files(in folder: URL) -> [String] {
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return folders.flatMap { sub -> [String] in
            let path = folder.appendingPathComponent(sub)
            return ((try? FileManager.default.contentsOfDirectory(atPath: path.path)) ?? [])
                .filter { $0.hasSuffix(".key") || $0.hasSuffix(".public") }.map { path.appendingPathComponent($0).path }
        }.sorted()
    }

    /// The most worker keys a learner reads from its folder.
    package static let maximumWorkers = 4096

    /// The learner's side: its pair and every client's public key in its folder `folder` (the `learner/`
    /// folder `generate` writes; at most `maximumWorkers` worker keys, and the operator's).
    package static func server(_ folder: URL) throws -> ServerSecurity {
        let pair = try CurveKeyFile.readPair(from: folder.appendingPathComponent("learner.key").path)
        return .curve(keys: pair, allowedClients: Set(try clientNames(folder).keys.map { CurveKey(z85: $0)! }))
    }

    /// Every admitted worker's public key (Z85, as the ZAP handler reports it) → the worker's name (its
    /// file's name, `ROLE-INDEX`): a key registers only as the worker it was issued for.
    package static func clientNames(_ folder: URL) throws -> [String: String] {
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".public") && $0 != "learner.public" }
        guard files.count <= maximumWorkers + 1 else {  // the workers and the operator
            throw CurveKeyFileError.malformed(path: folder.path, line: 0, reason: "\(files.count) worker keys; a learner admits at most \(maximumWorkers)")
        }
        var names: [String: String] = [:]
        for file in files {
            let key = try CurveKeyFile.readPublicKey(from: folder.appendingPathComponent(file).path)
            names[key.z85] = String(file.dropLast(".public".count))
        }
        return names
    }

    /// The keys in the learner's folder `folder` with operator rights (`operator.public`; none without it).
    package static func operatorKeys(_ folder: URL) throws -> Set<String> {
        Set(try clientNames(folder).filter { $0.value == operatorName }.keys)
    }

    /// Worker `name`'s side: its pair and the learner's public key.
    package static func client(_ folder: URL, name: String) throws -> ClientSecurity {
        let pair = try CurveKeyFile.readPair(from: folder.appendingPathComponent("\(name).key").path)
        return .curve(keys: pair, serverKey: try CurveKeyFile.readPublicKey(from: folder.appendingPathComponent("learner.public").path))
    }
}
