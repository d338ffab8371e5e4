import Wire

/// What a monitor sees of the dispatcher at one moment: each connected worker's state and policy
/// version, the work queued by role, the rollout leases out by version, and one line for the round.
package struct RoundView: Sendable, Equatable {
    /// One connected worker.
    package struct Worker: Sendable, Equatable {
        /// `ready`, `busy` (holds a lease), `draining` or `quarantined`.
        package var state: String
        /// The policy version it holds (generators).
        package var version: Int?
    }

    /// Connected workers (said hello); a registered worker missing here is still joining.
    package var workers: [WorkerID: Worker] = [:]
    /// The round's iteration (-1: none yet), and one line on what it does or waits for.
    package var iteration = -1, state = "starting"
    /// The policy version the round samples with (nil before the first round).
    package var policyVersion: Int?
    /// Pieces of work queued, by role.
    package var queued: [WorkerRole: Int] = [:]
    /// Rollout leases out, by the policy version of their task.
    package var inFlight: [Int: Int] = [:]

    /// An empty view (no round yet).
    package init() {}
}

extension RoundDispatcher {
    /// The dispatcher as a monitor sees it now; `running` says whether a round is in progress (between
    /// rounds the learner learns).
    package func view(running: Bool) -> RoundView {
        var view = RoundView()
        view.iteration = ledger?.iteration ?? -1
        view.policyVersion = policyVersion
        for (id, worker) in workers {
            let state = worker.quarantined != nil ? "quarantined" : worker.draining ? "draining" : worker.lease != nil ? "busy" : "ready"
            view.workers[id] = RoundView.Worker(state: state, version: worker.version)
            if case let .rollout(task)? = worker.lease { view.inFlight[task.policyVersion, default: 0] += 1 }
        }
        for role in WorkerRole.allCases where queuedCount(role) > 0 { view.queued[role] = queuedCount(role) }
        let waiting = waitingRoles
        if !running {
            view.state = ledger == nil ? "starting: waiting for the first round" : "learning from round \(view.iteration)"
        } else if !waiting.isEmpty {
            view.state = "waiting for " + waiting.map { "a usable \($0) worker" }.joined(separator: " and ")
        } else {
            let leases = workers.values.filter { $0.lease != nil }.count
            view.state = leases > 0 ? "working" : "dispatching"
        }
        return view
    }
}
