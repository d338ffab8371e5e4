/// What the learner sends a worker.
package enum LearnerMessage: Sendable, Equatable {
    /// Policy weights to install before the next task (rollout generators).
    case weights(PolicyWeights)
    /// A rollout task (rollout generators).
    case rollout(RolloutTask)
    /// Sequences to score (reward scorers).
    case score(SequenceRequest)
    /// Sequences to take reference log-probs of (reference workers).
    case reference(SequenceRequest)
    /// Finish: the worker stops after its current message.
    case stop
    /// Take no new work: the worker answers `draining`, finishes what it holds, and is then sent `stop`.
    case drain
}

/// What a worker sends the learner.
package enum WorkerMessage: Sendable, Equatable {
    /// The worker is up and takes work of its role.
    case hello(WorkerRole)
    /// A generator installed policy `version` and takes tasks of it.
    case installed(version: Int)
    /// A generator could not install weights `version` (they did not fit or did not verify): why.
    case refused(version: Int, reason: String)
    /// A generator's answer to a rollout task.
    case rollout(Rollout)
    /// A reward scorer's answer.
    case scores(ScoreResult)
    /// A reference worker's answer.
    case reference(ReferenceResult)
    /// The worker could not do task `task`: why, in one line. The learner leases it again.
    case failed(task: TaskID, reason: String)
    /// The worker takes no new work (it was drained, or its process was asked to end): once it holds no
    /// lease the learner sends it `stop`.
    case draining
}
