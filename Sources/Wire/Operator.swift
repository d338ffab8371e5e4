/// `OPERATOR_REQUEST`: what an operator's control command (`rlhf status`, `checkpoint`, `stop`, `drain`)
/// asks the learner, with an id the answer echoes. (The proto reserves `SCALE` and `ADMIT` for live
/// scaling; this version refuses them as actions it does not know.)
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
    }

    /// Echoed in the answer.
    package var id: UInt64
    /// What is asked.
    package var action: Action

    /// Creates a request.
    package init(id: UInt64, action: Action) { self.id = id; self.action = action }

    /// The longest worker name a request carries.
    package static let nameLimit = 200

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
