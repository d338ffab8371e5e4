import Foundation
import Logging
import Wire
import ZeroMQ

/// Issues a new worker to a running cluster: a fresh CurveZMQ pair in a folder of its own (`NAME/`:
/// `NAME.key` and `learner.public`), and an `ADMIT` to the learner over the operator's connection, which
/// keeps the public key in its folder and lets the key in from then on. What `rlhf keys issue` and the
/// launcher (scaling up) do.
package enum WorkerIssuing {
    /// Why a worker could not be issued.
    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    /// Issues a `role` worker into `folder` (the run's key folder, or any other) at the learner at
    /// `endpoint`, connecting with the operator's `security`; returns its name (`ROLE-INDEX`, the next
    /// free index) and its key folder. A name another issuer took meanwhile is skipped.
    package static func issue(_ role: WorkerRole, into folder: URL, endpoint: String, security: ClientSecurity, timeout: Double,
                              logger: Logger) async throws -> (name: String, folder: URL) {
        guard case let .curve(_, learnerPublic) = security else {
            throw Failure(description: "a run without keys (--insecure) admits any worker; there is nothing to issue")
        }
        var skipped: Set<String> = []
        for _ in 0..<8 {
            let name = "\(role)-\(ClusterKeys.nextIndex(role.rawValue, in: folder, taken: skipped))"
            let own = ClusterKeys.workerFolder(in: folder, name: name)
            let key: CurveKey
            do { key = try ClusterKeys.issue(name, into: folder, learnerPublic: learnerPublic) } catch {
                if FileManager.default.fileExists(atPath: own.path) { skipped.insert(name); continue }
                throw Failure(description: "cannot write \(own.path): \(error)")
            }
            let answer: OperatorAnswer
            do {
                answer = try await OperatorClient.ask(.admit(worker: name, publicKey: key.z85), endpoint: endpoint, security: security,
                                                      timeout: timeout, logger: logger)
            } catch {
                try? FileManager.default.removeItem(at: own)
                throw error
            }
            if answer.done { return (name, own) }
            try? FileManager.default.removeItem(at: own)
            guard answer.message.contains("already issued") else { throw Failure(description: "the learner \(answer.message)") }
            skipped.insert(name)
        }
        throw Failure(description: "8 names of \(role) workers in a row were taken meanwhile; try again")
    }
}
