import Wire

/// What the ledger did with a result.
package enum LedgerOutcome: Equatable, Sendable {
    /// Counted: the first valid result of its kind for a task of this iteration.
    case accepted
    /// A second result of the same kind for the same task: dropped.
    case duplicate
    /// A result for another iteration (one already trained, or from a worker that fell behind): dropped.
    case late
    /// A result of a task another learner incarnation leased (a learner that has since restarted): dropped.
    case otherIncarnation
    /// A rollout sampled with another policy version than its task's: dropped (the task stays open).
    case wrongVersion
    /// A task id this iteration never issued: dropped.
    case unknownTask
    /// Rows that do not fit the task: dropped (the task stays open for another try).
    case invalid(MessageError)
}

/// The task ledger of one PPO iteration: the tasks it issued and, for each, its rollout, score and
/// reference log-probs. Each result is counted once; a duplicate, late, unknown, malformed one, one of
/// another learner incarnation, or a rollout of another policy version than its task's is dropped and
/// counted by reason; the iteration's batch is complete when every task has all three. A pure value:
/// the learner's actor feeds it messages and reads `batch` when `isComplete`.
package struct IterationLedger: Sendable {
    /// One task's record.
    package struct Entry: Sendable, Equatable {
        /// The task as issued.
        package var task: RolloutTask
        /// Its results, as they arrive.
        package var rollout: Rollout?, scores: ScoreResult?, reference: ReferenceResult?

        /// Whether all three results are in.
        package var isComplete: Bool { rollout != nil && scores != nil && reference != nil }
    }

    /// The iteration this ledger accounts for.
    package let iteration: Int
    /// The learner incarnation whose tasks these are (the tasks' ids carry it).
    package let incarnation: UInt64
    private var entries: [TaskID: Entry] = [:]
    /// How many entries have all three results.
    private var completed = 0
    /// Results dropped, by reason.
    package private(set) var duplicates = 0, late = 0, unknown = 0, invalid = 0, otherIncarnation = 0, wrongVersion = 0

    /// Results dropped, by reason (the `cluster/dropped/REASON` metrics).
    package var dropped: [String: Int] {
        ["duplicate": duplicates, "late": late, "unknown": unknown, "invalid": invalid,
         "other_incarnation": otherIncarnation, "wrong_version": wrongVersion]
    }

    /// A ledger for `tasks`, all of `iteration`.
    package init(iteration: Int, tasks: [RolloutTask]) {
        self.iteration = iteration
        incarnation = tasks.first?.id.incarnation ?? 0
        for task in tasks where task.id.iteration == iteration { entries[task.id] = Entry(task: task) }
    }

    /// The tasks issued, in id order.
    package var taskIDs: [TaskID] { entries.keys.sorted() }

    /// The record of `id`.
    package func entry(_ id: TaskID) -> Entry? { entries[id] }

    /// Tasks still waiting for a rollout.
    package var awaitingRollout: [TaskID] { entries.values.filter { $0.rollout == nil }.map(\.task.id).sorted() }

    /// Whether every task has its rollout, scores and reference log-probs.
    package var isComplete: Bool { completed == entries.count }

    /// Every task's complete record, in task-id order (the order the learner trains in, whatever order
    /// the workers answered in); nil until `isComplete`.
    package var batch: [Entry]? { isComplete ? taskIDs.compactMap { entries[$0] } : nil }

    /// Records a generator's rollout: dropped when sampled with another policy version than its task's.
    package mutating func record(_ rollout: Rollout) -> LedgerOutcome {
        record(rollout.id, \.rollout, rollout) { entry throws(Refusal) in
            guard rollout.policyVersion == entry.task.policyVersion else { throw .wrongVersion }
            do throws(MessageError) { try rollout.validate(against: entry.task) } catch { throw .invalid(error) }
        }
    }

    /// Records a reward scorer's scores.
    package mutating func record(_ result: ScoreResult) -> LedgerOutcome {
        record(result.id, \.scores, result) { entry throws(Refusal) in
            guard result.scores.count == entry.task.prompts.count else {
                throw .invalid(.shape(task: result.id, what: "\(result.scores.count) scores for \(entry.task.prompts.count) rows"))
            }
            guard result.scores.allSatisfy(\.isFinite) else { throw .invalid(.shape(task: result.id, what: "a non-finite score")) }
        }
    }

    /// Records a reference worker's log-probs (which must match the recorded rollout's responses).
    package mutating func record(_ result: ReferenceResult) -> LedgerOutcome {
        record(result.id, \.reference, result) { entry throws(Refusal) in
            guard let rollout = entry.rollout else { throw .invalid(.shape(task: result.id, what: "reference log-probs before its rollout")) }
            guard result.logProbs.map(\.count) == rollout.responses.map(\.count) else {
                throw .invalid(.shape(task: result.id, what: "reference log-probs do not match the responses' lengths"))
            }
        }
    }

    /// Why a result's own check drops it.
    private enum Refusal: Error { case wrongVersion, invalid(MessageError) }

    /// Counts `result` into `slot` of its task once it passes, in order: the incarnation, the iteration,
    /// a task issued, the slot still empty, and `check` (the result's own rules).
    private mutating func record<Result>(_ id: TaskID, _ slot: WritableKeyPath<Entry, Result?>, _ result: Result,
                                         check: (Entry) throws(Refusal) -> Void) -> LedgerOutcome {
        guard id.incarnation == incarnation else { otherIncarnation += 1; return .otherIncarnation }
        guard id.iteration == iteration else { late += 1; return .late }
        guard var entry = entries[id] else { unknown += 1; return .unknownTask }
        guard entry[keyPath: slot] == nil else { duplicates += 1; return .duplicate }
        do throws(Refusal) { try check(entry) } catch {
            switch error {
            case .wrongVersion: wrongVersion += 1; return .wrongVersion
            case let .invalid(why): invalid += 1; return .invalid(why)
            }
        }
        entry[keyPath: slot] = result
        entries[id] = entry
        if entry.isComplete { completed += 1 }  // each slot is filled once, so this happens once per task
        return .accepted
    }
}
