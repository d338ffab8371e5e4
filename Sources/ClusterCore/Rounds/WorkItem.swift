import Wire

/// One unit of work the learner leases to a worker of the matching role.
package enum WorkItem: Sendable, Equatable {
    /// Sample a task's responses (a rollout generator).
    case rollout(RolloutTask)
    /// Score a task's sequences (a reward scorer).
    case score(SequenceRequest)
    /// Take reference log-probs of a task's sequences (a reference worker).
    case reference(SequenceRequest)

    /// The role that does it.
    package var role: WorkerRole {
        switch self {
        case .rollout: .rollout
        case .score: .reward
        case .reference: .reference
        }
    }

    /// The task it belongs to.
    package var task: TaskID {
        switch self {
        case let .rollout(t): t.id
        case let .score(r), let .reference(r): r.id
        }
    }

    /// The message that leases it.
    package var message: LearnerMessage {
        switch self {
        case let .rollout(t): .rollout(t)
        case let .score(r): .score(r)
        case let .reference(r): .reference(r)
        }
    }
}

/// A lease's key: which piece of which task.
package struct LeaseKey: Hashable, Sendable {
    /// The role that does the piece.
    package var role: WorkerRole
    /// The task.
    package var task: TaskID
}

extension WorkItem {
    /// Its lease key.
    package var key: LeaseKey { LeaseKey(role: role, task: task) }
}
