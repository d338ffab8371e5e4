/// The kinds of worker the learner leases work to.
package enum WorkerRole: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Samples responses with a copy of the policy (`RolloutTask` → `Rollout`).
    case rollout
    /// Scores whole sequences (`SequenceRequest` → `ScoreResult`).
    case reward
    /// Per-token log-probs under the frozen reference (`SequenceRequest` → `ReferenceResult`).
    case reference

    package var description: String { rawValue }
}

/// A worker's name within a run, unique per connection (the cluster uses its registration identity).
package struct WorkerID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The worker's role.
    package var role: WorkerRole
    /// Its number among the workers of that role.
    package var index: Int

    /// Creates an id.
    package init(role: WorkerRole, index: Int) { self.role = role; self.index = index }

    package static func < (a: WorkerID, b: WorkerID) -> Bool { (a.role.rawValue, a.index) < (b.role.rawValue, b.index) }

    package var description: String { "\(role)#\(index)" }
}
