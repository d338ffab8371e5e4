import Wire

/// The learner's coordination as a pure state machine: which workers there are, which policy version
/// each generator holds, what work is queued and who holds which lease, and the round's ledger. The
/// learner's actor feeds it worker messages and carries out the actions it returns; it touches no
/// socket and no clock, so every case is tested without either.
///
/// A round is one PPO iteration's tasks (or one evaluation's). Each rollout task goes to a generator
/// holding the task's policy version (a generator on another version gets the weights first); once a
/// task's rollout is accepted, its score and reference requests are queued. Idle workers are leased the
/// queued item of their role with the smallest task id. A failed or invalid piece goes back to the
/// queue, up to `maxAttempts` times; a result is counted once (`IterationLedger`).
///
/// Time comes in only through `advance(to:)` (seconds from any origin): a lease held longer than its
/// deadline, max(`minimumLeaseSeconds`, 10 × the median time of its kind), is issued again to another
/// worker while the first keeps it; whichever answer comes first counts, the other is a duplicate.
package struct RoundDispatcher: Sendable {
    /// What the learner's actor does next.
    package enum Action: Sendable, Equatable {
        /// Send `message` to `worker`.
        case send(LearnerMessage, to: WorkerID)
        /// The round's ledger is complete: learn from `batch`.
        case complete
        /// The round cannot finish: why, in one line.
        case abort(String)
    }

    /// A connected worker as the dispatcher sees it.
    package struct Worker: Sendable, Equatable {
        /// Its role.
        package var role: WorkerRole
        /// The policy version it holds (generators), and the one it is installing.
        package var version: Int?, installing: Int?
        /// The piece of work it holds, since when, and whether it was issued again for being late.
        package var lease: WorkItem?
        package var leasedAt = 0.0, overdue = false
        /// It takes no new work; it is sent `stop` once it holds no lease.
        package var draining = false
    }

    /// Tries a piece of work gets before the round aborts.
    package let maxAttempts: Int
    /// The shortest lease deadline, in seconds.
    package let minimumLeaseSeconds: Double
    /// The time of the last `advance(to:)`.
    package private(set) var now = 0.0
    /// Leases issued again because they were late.
    package private(set) var overdueReissued = 0
    private var durations: [WorkerRole: [Double]] = [:]
    /// Connected workers.
    package private(set) var workers: [WorkerID: Worker] = [:]
    /// The current round's ledger (nil before the first round).
    package private(set) var ledger: IterationLedger?
    /// Counters over the dispatcher's life: leases issued, pieces re-queued after a failure or an
    /// invalid result, and messages from workers that never said hello.
    package private(set) var leasesIssued = 0, requeued = 0, strangers = 0
    private var queue = WorkQueue()
    /// The workers' ids in order: idle workers are leased work in this order.
    private var order: [WorkerID] = []
    private var weights: PolicyWeights?
    private var attempts: [LeaseKey: Int] = [:]
    private var refusals: [WorkerID: Int] = [:]
    private var completed = false

    /// A dispatcher with no workers.
    package init(maxAttempts: Int = 3, minimumLeaseSeconds: Double = 30) {
        self.maxAttempts = maxAttempts
        self.minimumLeaseSeconds = minimumLeaseSeconds
    }

    /// The deadline of a lease of `role`: max(minimum, 10 × the median of its last 64 completions).
    package func leaseDeadline(_ role: WorkerRole) -> Double {
        let times = (durations[role] ?? []).sorted()
        guard !times.isEmpty else { return minimumLeaseSeconds }
        return max(minimumLeaseSeconds, 10 * times[times.count / 2])
    }

    /// Moves the clock to `time`: leases past their deadline are queued again for another worker.
    package mutating func advance(to time: Double) -> [Action] {
        now = max(now, time)
        var late: [WorkItem] = []
        for id in order {
            guard let worker = workers[id], let item = worker.lease, !worker.overdue,
                  now - worker.leasedAt > leaseDeadline(worker.role) else { continue }
            workers[id]?.overdue = true
            late.append(item)
        }
        for item in late where !queue.contains(item.key) && !isSettled(item.key) {
            overdueReissued += 1
            enqueue([item])
        }
        return dispatch()
    }

    /// Whether the ledger already holds the result `key` stands for.
    private func isSettled(_ key: LeaseKey) -> Bool {
        guard let entry = ledger?.entry(key.task) else { return true }
        switch key.role {
        case .rollout: return entry.rollout != nil
        case .reward: return entry.scores != nil
        case .reference: return entry.reference != nil
        }
    }

    /// The round's complete records, in task order (nil until complete).
    package var batch: [IterationLedger.Entry]? { ledger?.batch }

    /// Work queued and not leased.
    package var queued: [WorkItem] { queue.items }

    /// Starts a round over `tasks` (whose ids all carry `iteration`), sampled with `weights`: generators
    /// on another version are sent them first.
    package mutating func begin(iteration: Int, tasks: [RolloutTask], weights: PolicyWeights) -> [Action] {
        ledger = IterationLedger(iteration: iteration, tasks: tasks)
        queue = WorkQueue()
        for task in tasks { queue.insert(.rollout(task)) }
        attempts = [:]
        refusals = [:]
        completed = false
        self.weights = weights
        var actions: [Action] = []
        for id in order where workers[id]?.role == .rollout { actions += offerWeights(to: id) }
        return actions + dispatch()
    }

    /// Handles one worker message.
    package mutating func receive(_ delivery: Delivery) -> [Action] {
        handle(delivery) + releaseDrained()
    }

    /// Asks `worker` to drain: it answers `draining`, finishes what it holds and is then sent `stop`.
    package mutating func drain(_ worker: WorkerID) -> [Action] {
        guard workers[worker] != nil else { return [] }
        return [.send(.drain, to: worker)]
    }

    /// `stop` to every draining worker without a lease, which the dispatcher then forgets.
    private mutating func releaseDrained() -> [Action] {
        var actions: [Action] = []
        for id in order where workers[id]!.draining && workers[id]!.lease == nil {
            forget(id)
            actions.append(.send(.stop, to: id))
        }
        return actions
    }

    private mutating func handle(_ delivery: Delivery) -> [Action] {
        let id = delivery.from
        if case let .hello(role) = delivery.message {
            var actions = remove(id)
            workers[id] = Worker(role: role)
            order.insert(id, at: order.firstIndex { $0 > id } ?? order.endIndex)
            if role == .rollout { actions += offerWeights(to: id) }
            return actions + dispatch()
        }
        guard workers[id] != nil else { strangers += 1; return [] }
        switch delivery.message {
        case .hello:
            return []
        case .draining:
            workers[id]?.draining = true
            return []
        case let .installed(version):
            workers[id]?.version = version
            if workers[id]?.installing == version { workers[id]?.installing = nil }
            return dispatch()
        case let .rollout(rollout):
            release(id, LeaseKey(role: .rollout, task: rollout.id))
            return settle(LeaseKey(role: .rollout, task: rollout.id), ledger?.record(rollout)) + dispatch()
        case let .scores(result):
            release(id, LeaseKey(role: .reward, task: result.id))
            return settle(LeaseKey(role: .reward, task: result.id), ledger?.record(result)) + dispatch()
        case let .reference(result):
            release(id, LeaseKey(role: .reference, task: result.id))
            return settle(LeaseKey(role: .reference, task: result.id), ledger?.record(result)) + dispatch()
        case let .refused(version, reason):
            guard workers[id]?.installing == version, let weights, weights.version == version else { return [] }
            workers[id]?.installing = nil
            let tries = refusals[id, default: 1]
            guard tries < maxAttempts else {
                return [.abort("\(id) refused policy weights v\(version) \(tries) times; last: \(reason)")]
            }
            refusals[id] = tries + 1
            return offerWeights(to: id)
        case let .failed(task, reason):
            guard let role = workers[id]?.role else { return [] }
            let key = LeaseKey(role: role, task: task)
            guard workers[id]?.lease?.key == key, let item = workers[id]?.lease else { return dispatch() }
            workers[id]?.lease = nil
            return requeue(item, why: "\(id): \(reason)") + dispatch()
        }
    }

    /// Forgets `worker` (it left or died): its lease goes back to the queue.
    package mutating func remove(_ worker: WorkerID) -> [Action] {
        guard let gone = workers[worker] else { return [] }
        forget(worker)
        guard let item = gone.lease else { return [] }
        enqueue([item])
        return dispatch()
    }

    private mutating func forget(_ id: WorkerID) {
        workers[id] = nil
        order.removeAll { $0 == id }
    }

    private mutating func offerWeights(to id: WorkerID) -> [Action] {
        guard let weights, let worker = workers[id], !worker.draining, worker.version != weights.version,
              worker.installing != weights.version else { return [] }
        workers[id]?.installing = weights.version
        return [.send(.weights(weights), to: id)]
    }

    private mutating func release(_ id: WorkerID, _ key: LeaseKey) {
        guard let worker = workers[id], worker.lease?.key == key else { return }
        durations[key.role, default: []].append(now - worker.leasedAt)
        if durations[key.role]!.count > 64 { durations[key.role]!.removeFirst() }
        workers[id]?.lease = nil
        workers[id]?.overdue = false
    }

    /// What follows a result the ledger judged.
    private mutating func settle(_ key: LeaseKey, _ outcome: LedgerOutcome?) -> [Action] {
        guard let outcome, let ledger else { return [] }
        switch outcome {
        case .accepted:
            queue.remove(key)
            if key.role == .rollout {
                enqueue([WorkerRole.reward, .reference].compactMap { item(for: LeaseKey(role: $0, task: key.task), in: ledger) })
            }
            if ledger.isComplete && !completed {
                completed = true
                return [.complete]
            }
            return []
        case let .invalid(error):
            guard let item = item(for: key, in: ledger) else { return [] }
            return requeue(item, why: error.description)
        case .duplicate, .late, .unknownTask:
            return []
        }
    }

    /// The work item of `key` in the current round, rebuilt from the ledger.
    private func item(for key: LeaseKey, in ledger: IterationLedger) -> WorkItem? {
        guard let entry = ledger.entry(key.task) else { return nil }
        switch key.role {
        case .rollout: return .rollout(entry.task)
        case .reward, .reference:
            guard let rollout = entry.rollout else { return nil }
            let request = SequenceRequest(id: key.task, queries: entry.task.prompts, responses: rollout.responses,
                                          temperature: entry.task.sampling.temperature)
            return key.role == .reward ? .score(request) : .reference(request)
        }
    }

    private mutating func requeue(_ item: WorkItem, why: String) -> [Action] {
        let tries = attempts[item.key, default: 1]
        guard tries < maxAttempts else {
            return [.abort("task \(item.task) failed \(tries) times on \(item.role) workers; last: \(why)")]
        }
        attempts[item.key] = tries + 1
        requeued += 1
        let leasedElsewhere = workers.values.contains { $0.lease?.key == item.key }
        if !leasedElsewhere { queue.insert(item) }
        return []
    }

    /// Adds `items` to the queue (each role's items are leased in task-id order).
    private mutating func enqueue(_ items: [WorkItem]) {
        for item in items { queue.insert(item) }
    }

    /// Leases queued work to idle workers: each takes the first item of its role it can do.
    private mutating func dispatch() -> [Action] {
        var actions: [Action] = []
        var empty = Set<WorkerRole>()
        for id in order {
            guard let worker = workers[id], worker.lease == nil, !worker.draining, !empty.contains(worker.role) else { continue }
            if worker.role == .rollout && worker.installing != nil { continue }
            guard let item = queue.popFirst(worker.role, where: { item in
                if case let .rollout(task) = item { return worker.version == task.policyVersion }
                return true
            }) else {
                if worker.role != .rollout { empty.insert(worker.role) }  // nothing of this role for anyone
                continue
            }
            workers[id]?.lease = item
            workers[id]?.leasedAt = now
            workers[id]?.overdue = false
            leasesIssued += 1
            actions.append(.send(item.message, to: id))
        }
        return actions
    }
}
