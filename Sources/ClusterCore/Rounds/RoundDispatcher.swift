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
/// queue; a result is counted once (`IterationLedger`).
///
/// One bad worker never ends the run: a worker that refuses weights, fails tasks or sends invalid
/// results `quarantineAfter` times in a row is quarantined (logged with its name and reason, counted,
/// leased nothing more, its lease issued to others). The round ends without its batch only when a role
/// it needs has had no usable worker for `roleTimeout` seconds; until then it says once a minute what it
/// waits for.
///
/// Time comes in only through `advance(to:)` (seconds from any origin): a lease held longer than its
/// deadline, max(`minimumLeaseSeconds`, 10 × the median time of its kind), is issued again to another
/// worker while the first keeps it; whichever answer comes first counts, the other is a duplicate. A
/// piece that fails on its second worker while the first still holds it overdue goes back to the
/// queue: an overdue lease holds nothing up.
package struct RoundDispatcher: Sendable {
    /// What the learner's actor does next.
    package enum Action: Sendable, Equatable {
        /// Send `message` to `worker`.
        case send(LearnerMessage, to: WorkerID)
        /// The round's ledger is complete: learn from `batch`.
        case complete
        /// The round cannot finish: `role` has had no usable worker for `roleTimeout`; why, in one line.
        case abort(role: WorkerRole, String)
        /// Write this line to the log (a quarantine, a role waited for).
        case log(String)
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
        /// Refusals, failures and invalid results in a row (a success starts over).
        package var faults = 0
        /// Why it was quarantined (nil: it is not): it is leased nothing more.
        package var quarantined: String?

        /// Whether it can take work: not quarantined, not draining.
        package var isUsable: Bool { quarantined == nil && !draining }
    }

    /// Faults in a row (weights refused, tasks failed, invalid results) that quarantine a worker.
    package let quarantineAfter: Int
    /// The shortest lease deadline, in seconds.
    package let minimumLeaseSeconds: Double
    /// Seconds a needed role may have no usable worker before the round ends without its batch.
    package let roleTimeout: Double
    /// Seconds between two "waiting for" lines of the same role.
    package let waitingLogInterval: Double
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
    /// Workers quarantined over the dispatcher's life, and seconds some needed role had no usable worker.
    package private(set) var quarantinedCount = 0, waitedSeconds = 0.0
    /// Since when each needed role has had no usable worker, and when that was last logged.
    private var waitingSince: [WorkerRole: Double] = [:], waitingLogged: [WorkerRole: Double] = [:]
    private var queue = WorkQueue()
    /// The workers' ids in order: idle workers are leased work in this order.
    private var order: [WorkerID] = []
    private var weights: PolicyWeights?
    private var completed = false

    /// A dispatcher with no workers.
    package init(quarantineAfter: Int = 3, minimumLeaseSeconds: Double = 30, roleTimeout: Double = 600,
                 waitingLogInterval: Double = 60) {
        self.quarantineAfter = quarantineAfter
        self.minimumLeaseSeconds = minimumLeaseSeconds
        self.roleTimeout = roleTimeout
        self.waitingLogInterval = waitingLogInterval
    }

    /// Workers quarantined now (connected, leased nothing), with why.
    package var quarantined: [(WorkerID, String)] {
        order.compactMap { id in workers[id]?.quarantined.map { (id, $0) } }
    }

    /// The deadline of a lease of `role`: max(minimum, 10 × the median of its last 64 completions).
    package func leaseDeadline(_ role: WorkerRole) -> Double {
        let times = (durations[role] ?? []).sorted()
        guard !times.isEmpty else { return minimumLeaseSeconds }
        return max(minimumLeaseSeconds, 10 * times[times.count / 2])
    }

    /// Moves the clock to `time`: leases past their deadline are queued again for another worker, and a
    /// needed role without a usable worker is logged once a minute, then ends the round after `roleTimeout`.
    package mutating func advance(to time: Double) -> [Action] {
        let before = now
        now = max(now, time)
        let waiting = checkWaiting(since: before)
        if waiting.contains(where: { if case .abort = $0 { true } else { false } }) { return waiting }
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
        return waiting + dispatch()
    }

    /// Roles whose queued work no usable worker can take: the seconds waited, a line once a minute, and
    /// the end of the round once one has waited `roleTimeout`.
    private mutating func checkWaiting(since before: Double) -> [Action] {
        var actions: [Action] = []
        var anyWaiting = false
        for role in WorkerRole.allCases {
            let needed = queue.count(role) > 0
            let ofRole = workers.values.filter { $0.role == role }
            guard needed && !ofRole.contains(where: \.isUsable) else {
                waitingSince[role] = nil
                waitingLogged[role] = nil
                continue
            }
            anyWaiting = true
            let since = waitingSince[role] ?? now
            waitingSince[role] = since
            let unusable = order.compactMap { id -> String? in
                guard let w = workers[id], w.role == role else { return nil }
                return w.quarantined.map { "\(id) quarantined: \($0)" } ?? "\(id) draining"
            }
            let state = "\(ofRole.count) registered, 0 usable" + (unusable.isEmpty ? "" : " (\(unusable.joined(separator: "; ")))")
            if now - since >= roleTimeout {
                return [.abort(role: role, "no usable \(role) worker for \(Int(roleTimeout.rounded())) s: \(state)")]
            }
            if now - (waitingLogged[role] ?? -.infinity) >= waitingLogInterval {
                waitingLogged[role] = now
                actions.append(.log("waiting for a \(role) worker: \(state); waited \(Int((now - since).rounded())) s of \(Int(roleTimeout.rounded()))"))
            }
        }
        if anyWaiting && before > 0 { waitedSeconds += now - before }
        return actions
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

    /// The generators by how many policy versions behind the round's they were when it began (`"0"`,
    /// `"1"`, `"2+"`, `"none"`: one that holds no version yet).
    package private(set) var lagAtBegin: [String: Int] = [:]

    /// Roles the round needs that have no usable worker now, in role order.
    package var waitingRoles: [WorkerRole] { WorkerRole.allCases.filter { waitingSince[$0] != nil } }

    /// The policy version the round samples with (nil before the first round).
    package var policyVersion: Int? { weights?.version }

    /// Work queued and not leased (sorted: for tests and logs, not for every event).
    package var queued: [WorkItem] { queue.items }

    /// How many pieces of `role` are queued, in O(1).
    package func queuedCount(_ role: WorkerRole) -> Int { queue.count(role) }

    /// Starts a round over `tasks` (whose ids all carry `iteration`), sampled with `weights`: generators
    /// on another version are sent them first.
    package mutating func begin(iteration: Int, tasks: [RolloutTask], weights: PolicyWeights) -> [Action] {
        ledger = IterationLedger(iteration: iteration, tasks: tasks)
        queue = WorkQueue()
        for task in tasks { queue.insert(.rollout(task)) }
        completed = false
        self.weights = weights
        lagAtBegin = [:]
        for (_, worker) in workers where worker.role == .rollout {
            let lag = worker.version.map { max(0, weights.version - $0) }
            lagAtBegin[lag.map { $0 >= 2 ? "2+" : "\($0)" } ?? "none", default: 0] += 1
        }
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
            workers[id]?.faults = 0
            workers[id]?.version = version
            if workers[id]?.installing == version { workers[id]?.installing = nil }
            return dispatch()
        case let .rollout(rollout):
            release(id, LeaseKey(role: .rollout, task: rollout.id))
            return settle(LeaseKey(role: .rollout, task: rollout.id), ledger?.record(rollout), from: id) + dispatch()
        case let .scores(result):
            release(id, LeaseKey(role: .reward, task: result.id))
            return settle(LeaseKey(role: .reward, task: result.id), ledger?.record(result), from: id) + dispatch()
        case let .reference(result):
            release(id, LeaseKey(role: .reference, task: result.id))
            return settle(LeaseKey(role: .reference, task: result.id), ledger?.record(result), from: id) + dispatch()
        case let .refused(version, reason):
            guard workers[id]?.installing == version, let weights, weights.version == version else { return [] }
            workers[id]?.installing = nil
            let quarantine = fault(id, "refused policy weights v\(version): \(reason)")
            return quarantine.isEmpty ? offerWeights(to: id) : quarantine + dispatch()
        case let .failed(task, reason):
            guard let role = workers[id]?.role else { return [] }
            let key = LeaseKey(role: role, task: task)
            guard workers[id]?.lease?.key == key, let item = workers[id]?.lease else { return dispatch() }
            workers[id]?.lease = nil
            requeue(item)
            return fault(id, "failed task \(task): \(reason)") + dispatch()
        }
    }

    /// Counts a fault of `id`; at `quarantineAfter` in a row the worker is quarantined: logged, leased
    /// nothing more, its lease queued for others.
    private mutating func fault(_ id: WorkerID, _ why: String) -> [Action] {
        guard var worker = workers[id], worker.quarantined == nil else { return [] }
        worker.faults += 1
        guard worker.faults >= quarantineAfter else {
            workers[id] = worker
            return []
        }
        worker.quarantined = "\(worker.faults) faults in a row; last: \(why)"
        let lease = worker.lease
        worker.lease = nil
        worker.installing = nil
        workers[id] = worker
        quarantinedCount += 1
        if let lease { requeue(lease, counted: false) }
        return [.log("quarantined \(id): \(worker.quarantined!); it is leased nothing more")]
    }

    /// Forgets `worker` (it left or died): its lease goes back to the queue, unless its result is in
    /// the ledger already, it is queued or held on time by another worker (an overdue copy), or it is of
    /// a round that has ended; none of those is leased again.
    package mutating func remove(_ worker: WorkerID) -> [Action] {
        guard let gone = workers[worker] else { return [] }
        forget(worker)
        guard let item = gone.lease else { return [] }
        requeue(item, counted: false)
        return dispatch()
    }

    private mutating func forget(_ id: WorkerID) {
        workers[id] = nil
        order.removeAll { $0 == id }
    }

    private mutating func offerWeights(to id: WorkerID) -> [Action] {
        guard let weights, let worker = workers[id], worker.isUsable, worker.version != weights.version,
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

    /// What follows a result from `id` the ledger judged.
    private mutating func settle(_ key: LeaseKey, _ outcome: LedgerOutcome?, from id: WorkerID) -> [Action] {
        guard let outcome, let ledger else { return [] }
        switch outcome {
        case .accepted:
            workers[id]?.faults = 0
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
            requeue(item)
            return fault(id, "an invalid \(key.role) result: \(error)")
        case .wrongVersion:
            guard let item = item(for: key, in: ledger) else { return [] }
            requeue(item)
            return fault(id, "a rollout of another policy version than its task's")
        case .duplicate, .late, .unknownTask, .otherIncarnation:
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

    /// Puts `item` back in the queue unless a usable worker holds it on time (a lease held overdue, by a
    /// worker that may be stuck, holds nothing up).
    private mutating func requeue(_ item: WorkItem, counted: Bool = true) {
        if counted { requeued += 1 }
        let leasedElsewhere = workers.values.contains { $0.lease?.key == item.key && !$0.overdue && $0.isUsable }
        if !leasedElsewhere && !queue.contains(item.key) && !isSettled(item.key) { queue.insert(item) }
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
            guard let worker = workers[id], worker.lease == nil, worker.isUsable, !empty.contains(worker.role) else { continue }
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
