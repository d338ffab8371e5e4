/// Why `rlhf bench transport` stopped: the transports did not do what the bench checks.
package enum TransportBenchError: Error, CustomStringConvertible, Equatable {
    /// Something did not happen in time: what, and the seconds waited.
    case timedOut(what: String, seconds: Double)
    /// A generator refused or could not verify a weights message: which and why.
    case weightsRefused(worker: String, version: Int, reason: String)
    /// Fewer workers took part than were started.
    case workersMissing(role: String, expected: Int, got: Int)
    /// A round issued another number of leases than its tasks need (3 each: rollout, score, reference).
    case leaseCount(tasks: Int, leases: Int, requeued: Int)
    /// A message did not decode to what was encoded.
    case codecMismatch(kind: String)
    /// Churned stand-ins did not finish leaving and joining within the round limit.
    case churnUnsettled
    /// The generators took another number of versions from the shared-memory file than the path calls for.
    case sharedMemory(taken: Int, expected: Int)

    /// A stand-in generator process ended before the bench stopped it.
    case standInEnded(index: Int, status: Int32)

    package var description: String {
        switch self {
        case let .timedOut(what, seconds):
            "timed out after \(Int(seconds)) s waiting for \(what)"
        case let .weightsRefused(worker, version, reason):
            "generator \(worker) refused weights v\(version): \(reason)"
        case let .workersMissing(role, expected, got):
            "\(got) of \(expected) \(role) workers took part"
        case let .leaseCount(tasks, leases, requeued):
            "a round of \(tasks) tasks issued \(leases) leases (expected \(3 * tasks), more only under churn) or did not "
                + "complete every task once (\(requeued) re-queued)"
        case let .codecMismatch(kind):
            "a \(kind) message did not decode to what was encoded"
        case let .sharedMemory(taken, expected):
            "the generators took \(taken) versions from the shared-memory file; expected \(expected)"
        case let .standInEnded(index, status):
            "stand-in generator \(index) ended with status \(status) before the bench stopped it (its error is above)"
        case .churnUnsettled:
            "churned stand-ins did not finish leaving (drained leavers wait for STOP) and joining in time"
        }
    }
}
