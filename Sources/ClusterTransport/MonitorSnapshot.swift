import Foundation

/// What the learner tells a monitor (and `rlhf status`): the run's progress, its workers, the round in
/// progress and the recent metrics. The learner publishes one on its monitor socket every second and
/// after each iteration, and answers `status` with one (a late monitor's snapshot); it travels as JSON.
package struct MonitorSnapshot: Codable, Sendable, Equatable {
    /// One worker as the learner sees it.
    package struct Worker: Codable, Sendable, Equatable {
        /// The name its key was issued as (`ROLE-INDEX`), or its id in a run without keys.
        package var name: String
        /// Its id in the run (`rollout#3`), its role, and where it runs.
        package var id: String, role: String, host: String, pid: Int, device: String
        /// `joining` (registered, building its role), `ready`, `busy` (holds a lease), `draining` or `quarantined`.
        package var state: String
        /// The policy version it holds (generators), and how far behind the learner's that is.
        package var version: Int?, lag: Int?
        /// Tasks it finished, and seconds it spent on them, since it joined.
        package var tasks: Int, busySeconds: Double
        /// Tasks per minute since it joined.
        package var tasksPerMinute: Double
        /// Seconds since the learner last heard from it.
        package var lastHeardSeconds: Double
        /// Seconds from its join to its first lease (nil: it has had none yet).
        package var firstWorkSeconds: Double?
        /// Seconds from its join to holding the policy, ready for work (generators; nil: not yet).
        package var readySeconds: Double?

        /// A worker row.
        package init(name: String, id: String, role: String, host: String, pid: Int, device: String, state: String, version: Int? = nil,
                     lag: Int? = nil, tasks: Int = 0, busySeconds: Double = 0, tasksPerMinute: Double = 0, lastHeardSeconds: Double = 0,
                     firstWorkSeconds: Double? = nil, readySeconds: Double? = nil) {
            self.name = name; self.id = id; self.role = role; self.host = host; self.pid = pid; self.device = device; self.state = state
            self.version = version; self.lag = lag; self.tasks = tasks; self.busySeconds = busySeconds; self.tasksPerMinute = tasksPerMinute
            self.lastHeardSeconds = lastHeardSeconds; self.firstWorkSeconds = firstWorkSeconds; self.readySeconds = readySeconds
        }
    }

    /// The round in progress (one PPO iteration's tasks).
    package struct Round: Codable, Sendable, Equatable {
        /// The iteration it is for (-1: none yet).
        package var iteration: Int
        /// One line: what it does or waits for ("waiting for 1 reward scorer", "learning").
        package var state: String
        /// Pieces of work queued, by role.
        package var queued: [String: Int]
        /// Rollout leases out now, by the policy version they were leased with (`"3"` → 2).
        package var inFlight: [String: Int]

        /// A round's state.
        package init(iteration: Int = -1, state: String = "starting", queued: [String: Int] = [:], inFlight: [String: Int] = [:]) {
            self.iteration = iteration; self.state = state; self.queued = queued; self.inFlight = inFlight
        }
    }

    /// Counts from 1 over the learner's life; a monitor keeps the newest.
    package var sequence: UInt64
    /// Where the learner publishes updates (its monitor socket; nil: it has none).
    package var monitorEndpoint: String?
    /// Iterations done, and in all.
    package var iteration: Int, iterations: Int
    /// Workers registered now, by role (`rollout` → 2).
    package var workers: [String: Int]
    /// The operator's target per role (the launcher starts the missing workers; the learner drains extra ones).
    package var targets: [String: Int]
    /// Every registered worker, by name.
    package var workerList: [Worker]
    /// The round in progress.
    package var round: Round
    /// The latest iteration's metrics.
    package var metrics: [String: Double]
    /// The last `historyLength` iterations' values of the plotted metrics, oldest first.
    package var history: [String: [Double]]
    /// Results dropped over the run, by reason (`duplicate`, `late`, `other_incarnation`, ...).
    package var dropped: [String: Int]
    /// Frames and peers refused over the run, by reason (`malformed`, `stranger`, `not_operator`, ...).
    package var refused: [String: Int]
    /// Generators by how many versions behind the learner's policy they are (`"0"`, `"1"`, `"2+"`, `"none"`).
    package var staleness: [String: Int]

    /// How many iterations `history` keeps.
    package static let historyLength = 60
    /// The metrics the monitor plots, in the order it shows them.
    package static let plotted = ["env/reward_mean", "objective/kl", "objective/entropy", "ppo/loss/policy", "ppo/loss/value",
                                   "ppo/policy/clipfrac", "env/response_length", "time/iteration"]

    /// A snapshot.
    package init(sequence: UInt64 = 0, iteration: Int = 0, iterations: Int = 0, workers: [String: Int] = [:], targets: [String: Int] = [:],
                 workerList: [Worker] = [], round: Round = Round(), metrics: [String: Double] = [:], history: [String: [Double]] = [:],
                 dropped: [String: Int] = [:], refused: [String: Int] = [:], staleness: [String: Int] = [:]) {
        self.sequence = sequence; self.iteration = iteration; self.iterations = iterations; self.workers = workers; self.targets = targets
        self.workerList = workerList; self.round = round; self.metrics = metrics; self.history = history; self.dropped = dropped
        self.refused = refused; self.staleness = staleness
    }

    /// The snapshot as one line of JSON (keys sorted, snake_case).
    package func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// The snapshot `text` holds, or why not.
    package static func decode(_ text: String) throws -> MonitorSnapshot {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(MonitorSnapshot.self, from: Data(text.utf8))
    }
}
