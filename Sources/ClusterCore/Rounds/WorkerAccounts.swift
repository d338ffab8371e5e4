import Wire

/// Per-worker accounting over the run, as a pure value over an injected clock (seconds from any origin):
/// when each worker joined, when it got its first lease, how many tasks it finished and the seconds it
/// held them. The learner feeds it each lease it sends and each result it receives.
package struct WorkerAccounts: Sendable, Equatable {
    /// One worker's account.
    package struct Account: Sendable, Equatable {
        /// When it joined (registered), when it had its first policy version installed (generators; nil:
        /// none yet), and when it got its first lease (nil: none yet).
        package var joinedAt: Double, installedAt: Double? = nil, firstLeaseAt: Double? = nil
        /// Tasks it finished (results received), and the seconds from lease to result over them.
        package var tasks = 0, busySeconds = 0.0
        /// When its lease in hand was sent (nil: it holds none).
        var leasedAt: Double?

        /// Seconds from its join to its first lease.
        package var timeToFirstWork: Double? { firstLeaseAt.map { $0 - joinedAt } }

        /// Seconds from its join to holding the policy (a generator's first install): ready for work.
        package var timeToReady: Double? { installedAt.map { $0 - joinedAt } }

        /// Tasks per minute since it joined, at `now`.
        package func tasksPerMinute(now: Double) -> Double { now > joinedAt ? Double(tasks) * 60 / (now - joinedAt) : 0 }
    }

    /// Every worker that joined, gone ones too (a run's totals).
    package private(set) var accounts: [WorkerID: Account] = [:]
    /// Joins not yet reported by `takeJoins()`, with their time to first work.
    private var firstWorkTimes: [Double] = []

    /// An empty account book.
    package init() {}

    /// `worker` joined at `now`.
    package mutating func joined(_ worker: WorkerID, now: Double) {
        accounts[worker] = Account(joinedAt: now)
    }

    /// `worker` was sent a lease at `now`.
    package mutating func leased(_ worker: WorkerID, now: Double) {
        guard var account = accounts[worker] else { return }
        if account.firstLeaseAt == nil {
            account.firstLeaseAt = now
            firstWorkTimes.append(now - account.joinedAt)
        }
        account.leasedAt = account.leasedAt ?? now
        accounts[worker] = account
    }

    /// `worker` installed a policy version at `now` (its first install is when it became ready for work).
    package mutating func installed(_ worker: WorkerID, now: Double) {
        if accounts[worker]?.installedAt == nil { accounts[worker]?.installedAt = now }
    }

    /// `worker` answered its lease (a result, or a failure) at `now`; `finished`: a result.
    package mutating func answered(_ worker: WorkerID, now: Double, finished: Bool) {
        guard var account = accounts[worker], let since = account.leasedAt else { return }
        account.leasedAt = nil
        account.busySeconds += max(0, now - since)
        if finished { account.tasks += 1 }
        accounts[worker] = account
    }

    /// `worker` left: a lease it held is no longer timed.
    package mutating func left(_ worker: WorkerID) { accounts[worker]?.leasedAt = nil }

    /// The times to first work of the workers that got their first lease since the last call.
    package mutating func takeFirstWorkTimes() -> [Double] {
        defer { firstWorkTimes = [] }
        return firstWorkTimes
    }
}
