import Wire

/// The learner's table of registered workers, as a pure state machine over an injected clock (seconds
/// as `Double`, from any origin): who is registered under which transport identity, when each was last
/// heard from, and who is dead (nothing heard for `liveness` heartbeat intervals, as in ZeroMQ's
/// Paranoid Pirate pattern). Registrations are rate-limited per identity and per host, so a flood from
/// one peer is dropped and counted instead of filling the table.
package struct WorkerRegistry: Sendable {
    /// One registered worker.
    package struct Record: Sendable, Equatable {
        /// The worker's id within the run.
        package var id: WorkerID
        /// The transport identity it registered from (a ZeroMQ routing id; any string in one process).
        package var identity: String
        /// Where it runs, as it said when it registered.
        package var host: String, pid: Int, device: String
        /// When it registered and when anything was last heard from it.
        package var registeredAt: Double, lastHeard: Double
    }

    /// What `register` did.
    package enum Registration: Sendable, Equatable {
        /// A new worker under `id`.
        case accepted(WorkerID)
        /// A worker registering again from an identity already known: a restart; `replaced` is its old
        /// id, whose leases go back to the queue.
        case restarted(WorkerID, replaced: WorkerID)
        /// Over the rate limit: dropped and counted.
        case rateLimited
    }

    /// Seconds between heartbeats, and how many missed ones make a worker dead.
    package let heartbeatInterval: Double, liveness: Int
    /// Registrations accepted per identity, and per host, in any one second.
    package let registrationsPerSecond: Int
    /// Registrations dropped by the rate limit.
    package private(set) var registrationsDropped = 0
    private var records: [WorkerID: Record] = [:]
    private var byIdentity: [String: WorkerID] = [:]
    private var nextIndex: [WorkerRole: Int] = [:]
    private var recent: [String: [Double]] = [:]  // "id:IDENTITY" / "host:HOST" → registration times in the last second

    /// An empty registry.
    package init(heartbeatInterval: Double = 1, liveness: Int = 3, registrationsPerSecond: Int = 10) {
        self.heartbeatInterval = heartbeatInterval
        self.liveness = liveness
        self.registrationsPerSecond = registrationsPerSecond
    }

    /// Every registered worker, by id.
    package var workers: [Record] { records.values.sorted { $0.id < $1.id } }

    /// The worker registered from `identity`, if any.
    package func worker(identity: String) -> WorkerID? { byIdentity[identity] }

    /// The record of `id`.
    package func record(_ id: WorkerID) -> Record? { records[id] }

    /// Registered workers of `role`.
    package func count(_ role: WorkerRole) -> Int { records.values.filter { $0.id.role == role }.count }

    /// Registers a worker of `role` from `identity` at `now`.
    package mutating func register(identity: String, role: WorkerRole, host: String, pid: Int, device: String,
                                  now: Double) -> Registration {
        guard admit("id:" + identity, now: now), admit("host:" + host, now: now) else {
            registrationsDropped += 1
            return .rateLimited
        }
        let old = byIdentity[identity]
        if let old { records[old] = nil }
        let index = nextIndex[role, default: 0]
        nextIndex[role] = index + 1
        let id = WorkerID(role: role, index: index)
        records[id] = Record(id: id, identity: identity, host: host, pid: pid, device: device, registeredAt: now, lastHeard: now)
        byIdentity[identity] = id
        return old.map { .restarted(id, replaced: $0) } ?? .accepted(id)
    }

    /// Counts a repeated registration from `identity` (answered with the welcome it already has) against
    /// the same rate limits: false, and counted as dropped, over them.
    package mutating func admitRepeat(identity: String, host: String, now: Double) -> Bool {
        guard admit("id:" + identity, now: now), admit("host:" + host, now: now) else {
            registrationsDropped += 1
            return false
        }
        return true
    }

    /// Records that something arrived from `id` at `now` (every message counts as a heartbeat).
    package mutating func heard(_ id: WorkerID, now: Double) {
        if records[id] != nil { records[id]!.lastHeard = max(records[id]!.lastHeard, now) }
    }

    /// Removes `id` (it said goodbye, or its transport failed).
    package mutating func remove(_ id: WorkerID) {
        guard let record = records.removeValue(forKey: id) else { return }
        if byIdentity[record.identity] == id { byIdentity[record.identity] = nil }
    }

    /// Removes and returns every worker not heard from for `liveness` heartbeat intervals by `now`.
    package mutating func expire(now: Double) -> [WorkerID] {
        let limit = heartbeatInterval * Double(liveness)
        let dead = records.values.filter { now - $0.lastHeard > limit }.map(\.id).sorted()
        for id in dead { remove(id) }
        return dead
    }

    /// Whether one more registration under `key` fits the limit at `now` (and counts it if so).
    private mutating func admit(_ key: String, now: Double) -> Bool {
        var times = recent[key, default: []].filter { now - $0 < 1 }
        guard times.count < registrationsPerSecond else {
            recent[key] = times
            return false
        }
        times.append(now)
        recent[key] = times
        return true
    }
}
