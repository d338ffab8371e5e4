/// `OPERATOR_REQUEST`: what an operator's control command (`rlhf status`, `checkpoint`, `stop`, `drain`,
/// `scale`, `keys issue`) asks the learner, with an id the answer echoes.
package struct OperatorRequest: Sendable, Equatable {
    /// What is asked.
    package enum Action: Sendable, Equatable {
        /// The run's state, as JSON in the answer.
        case status
        /// A checkpoint after this iteration.
        case checkpoint
        /// A checkpoint after this iteration, then a clean stop.
        case stop
        /// The worker named `worker` (`ROLE-INDEX`) takes no new work, finishes what it holds and exits.
        case drain(worker: String)
        /// `role`'s target becomes `count` workers (`relative`: changes by `count`); the launcher starts
        /// the missing ones, and the learner drains the extra ones.
        case scale(role: WorkerRole, count: Int, relative: Bool)
        /// The learner admits the CurveZMQ key `publicKey` (40 Z85 characters) as worker `worker`
        /// (`ROLE-INDEX`) from now on, and keeps it in its key folder.
        case admit(worker: String, publicKey: String)
    }

    /// Echoed in the answer.
    package var id: UInt64
    /// What is asked.
    package var action: Action

    /// Creates a request.
    package init(id: UInt64, action: Action) { self.id = id; self.action = action }

    /// The longest worker name a request carries.
    package static let nameLimit = 200

    /// The largest target or change a `scale` carries (a learner admits at most 4,096 workers).
    package static let scaleLimit = 4096

    /// Whether `key` is a CurveZMQ public key as Z85 text: 40 characters of the Z85 alphabet.
    package static func isPublicKey(_ key: String) -> Bool {
        let alphabet = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8)
        return key.utf8.count == 40 && key.utf8.allSatisfy(alphabet.contains)
    }

    /// Whether `name` is a worker name as `rlhf launch` writes them: `ROLE-INDEX`.
    package static func isWorkerName(_ name: String) -> Bool {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, WorkerRole(rawValue: String(parts[0])) != nil, let index = Int(parts[1]),
              index >= 0, String(index) == parts[1] else { return false }
        return name.utf8.count <= nameLimit
    }
}

/// `OPERATOR_ANSWER`: the learner's one answer to an `OperatorRequest`.
package struct OperatorAnswer: Sendable, Equatable {
    /// The request's id.
    package var id: UInt64
    /// Whether it was done (false: refused, and `message` says why).
    package var done: Bool
    /// One line for the operator.
    package var message: String
    /// For `status`: the run's state as a JSON object ("" otherwise).
    package var status: String

    /// Creates an answer.
    package init(id: UInt64, done: Bool, message: String, status: String = "") {
        self.id = id; self.done = done; self.message = message; self.status = status
    }

    /// The longest message and status an answer carries, in bytes.
    package static let messageLimit = 4096, statusLimit = 1 << 20
}

/// `MONITOR_UPDATE`: the run as a monitor sees it, published by the learner every second and after each
/// iteration (the JSON of `status`).
package struct MonitorUpdate: Sendable, Equatable {
    /// Counts from 1 over the learner's life.
    package var sequence: UInt64
    /// A JSON object, at most `OperatorAnswer.statusLimit` bytes.
    package var json: String

    /// Creates an update.
    package init(sequence: UInt64, json: String) { self.sequence = sequence; self.json = json }
}
