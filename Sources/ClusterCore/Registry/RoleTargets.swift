import Wire

/// The operator's target number of workers per role, as a pure value: the run config's counts at first,
/// then what `rlhf scale` sets. The launcher starts the missing workers; the learner drains the extra ones
/// (the newest first) of the roles an operator scaled (workers started by hand beside a config's counts
/// are left alone until then).
package struct RoleTargets: Sendable, Equatable {
    /// The target per role.
    package private(set) var counts: [WorkerRole: Int]
    /// The roles an operator scaled: their extra workers are drained.
    package private(set) var scaled: Set<WorkerRole> = []

    /// Why a scale is refused.
    package enum Refusal: Error, Equatable, CustomStringConvertible {
        /// The target would leave a role the run needs without workers, or pass the most a learner admits.
        case outOfRange(role: WorkerRole, target: Int, limit: Int)

        package var description: String {
            switch self {
            case let .outOfRange(role, target, limit):
                "a target of \(target) \(role) workers: a run needs 1 to \(limit) of each role"
            }
        }
    }

    /// The most workers of one role a target may name.
    package static let limit = 1024

    /// Targets of `counts` (the run config's).
    package init(_ counts: [WorkerRole: Int]) { self.counts = counts }

    /// `role`'s target to `count` (`relative`: changed by `count`); returns the target before.
    package mutating func scale(_ role: WorkerRole, count: Int, relative: Bool) throws(Refusal) -> Int {
        let before = counts[role, default: 0]
        let target = relative ? before + count : count
        guard (1...Self.limit).contains(target) else { throw .outOfRange(role: role, target: target, limit: Self.limit) }
        counts[role] = target
        scaled.insert(role)
        return before
    }

    /// The workers to drain so that each scaled role has at most its target: of `workers` (those
    /// registered and not draining), the newest (highest index) beyond the target.
    package func excess(_ workers: [WorkerID]) -> [WorkerID] {
        var drain: [WorkerID] = []
        for role in WorkerRole.allCases where scaled.contains(role) {
            let ofRole = workers.filter { $0.role == role }.sorted { $0.index < $1.index }
            let over = ofRole.count - counts[role, default: ofRole.count]
            if over > 0 { drain += ofRole.suffix(over) }
        }
        return drain
    }
}
