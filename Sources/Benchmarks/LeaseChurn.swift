import ClusterCore
import ClusterTransport
import Logging
import Wire

/// Churn for the lease bench: `perSecond` times a second one stand-in leaves (a random one, by turns
/// draining and disconnecting: `Departure`) and a new one of the same role joins (a fresh
/// `ZMQWorkerTransport` that registers, is welcomed and says hello), so the registered count stays
/// around where it started. It owns every stand-in, the first ones too, and sums what they saw.
actor LeaseChurn {
    /// What the churn did and what its stand-ins saw.
    struct Summary: Sendable {
        /// Stand-ins that joined, and that left by each way.
        var joined = 0, leftDraining = 0, leftDisconnecting = 0
        /// The fewest and most workers the learner had registered at the churn's ticks.
        var registeredMin = Int.max, registeredMax = 0
        /// Joins that failed (the transport could not start, or was never welcomed).
        var joinFailures = 0
        /// The stand-ins' counts, summed.
        var counts = ChurnStandIn.Counts()
    }

    private let cluster: BenchCluster
    private let layout: [WeightTensor]
    private let perSecond: Int
    private let linger: Duration
    private let logger: Logger
    /// Stand-ins that take work and have not been picked to leave.
    private var active: [ChurnStandIn]
    /// Every stand-in, and every joiner's transport (closed at the end).
    private var everyone: [ChurnStandIn]
    private var transports: [ZMQWorkerTransport] = []
    private var runs: [Task<Void, Never>] = []
    private var moves: [Task<Void, Never>] = []
    private var pendingMoves = 0
    private var loop: Task<Void, Never>?
    private var summary = Summary()
    private var serial = 0
    private var random: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// Stand-ins over every worker of `cluster`, churned `perSecond` times a second once `startChurn()`
    /// is called; leavers that drained listen for `linger` after `STOP`.
    init(cluster: BenchCluster, layout: [WeightTensor], perSecond: Int, linger: Duration, logger: Logger) {
        self.cluster = cluster
        self.layout = layout
        self.perSecond = perSecond
        self.linger = linger
        self.logger = logger
        let standIns = zip(cluster.workers, cluster.roles).enumerated().map { index, pair in
            let (transport, role) = pair
            if role == .rollout { transport.expectWeights(layout: layout) }
            return ChurnStandIn(CannedWorker(index: index, role: role, transport: transport, layout: layout, report: { _ in }),
                                transport: transport)
        }
        active = standIns
        everyone = standIns
        transports = cluster.workers
    }

    /// Starts every first stand-in (each says hello).
    func start() {
        for standIn in active { runs.append(Task { await standIn.run() }) }
    }

    /// Starts the churn.
    func startChurn() {
        guard loop == nil else { return }
        loop = Task { await self.churn() }
    }

    /// Stops the churn; joins and leaves under way go on (`isSettled` says when they are done).
    func stopChurn() async {
        loop?.cancel()
        await loop?.value
        loop = nil
    }

    /// Whether every join and leave has finished (a drained leaver waits for `STOP`, which the learner
    /// sends while a round runs).
    var isSettled: Bool { pendingMoves == 0 }

    private func moved() { pendingMoves -= 1 }

    /// What the churn did so far.
    var result: Summary {
        var out = summary
        out.counts = everyone.reduce(into: ChurnStandIn.Counts()) { total, standIn in
            let c = standIn.counts
            total.answered += c.answered
            total.whileDraining += c.whileDraining
            total.afterLeft += c.afterLeft
            total.neverStopped += c.neverStopped
        }
        return out
    }

    /// Closes every stand-in's transport and waits for their loops.
    func close() async {
        for task in moves { task.cancel() }
        for transport in transports { await transport.close() }
        for task in runs { await task.value }
    }

    private func churn() async {
        let interval = Duration.seconds(1) / perSecond
        var tick = ContinuousClock.now
        var turn = 0
        while !Task.isCancelled {
            tick += interval
            try? await Task.sleep(until: tick, clock: .continuous)
            guard !Task.isCancelled else { return }
            let registered = WorkerRole.allCases.reduce(0) { $0 + cluster.learner.registered($1) }
            summary.registeredMin = min(summary.registeredMin, registered)
            summary.registeredMax = max(summary.registeredMax, registered)
            step(turn % 2 == 0 ? .drain : .disconnect)
            turn += 1
        }
    }

    /// One stand-in leaves as `how` says, and one of its role joins.
    private func step(_ how: Departure) {
        guard !active.isEmpty else { return }
        random ^= random << 13
        random ^= random >> 7
        random ^= random << 17
        let leaver = active.remove(at: Int(random % UInt64(active.count)))
        if how == .drain { summary.leftDraining += 1 } else { summary.leftDisconnecting += 1 }
        let linger = linger
        let role = leaver.role
        pendingMoves += 2
        moves.append(Task {
            await leaver.leave(how, linger: linger)
            await self.moved()
        })
        moves.append(Task {
            await self.join(role)
            await self.moved()
        })
    }

    /// A new stand-in of `role` registers, is welcomed and starts.
    private func join(_ role: WorkerRole) async {
        serial += 1
        let index = cluster.workers.count + serial
        let registration = Register(role: role, host: "churn-\(serial)", pid: index, device: "cpu",
                                    capabilities: WorkerCapabilities(maxRowsPerTask: 1 << 16, backends: ["cpu"]))
        let key = cluster.clientKeys[serial % cluster.clientKeys.count]
        guard let transport = try? await ZMQWorkerTransport(endpoint: cluster.learner.endpoint, security: key, registration: registration,
                                                           context: cluster.workerContext, logger: logger) else {
            summary.joinFailures += 1
            return
        }
        transports.append(transport)
        if role == .rollout { transport.expectWeights(layout: layout) }
        guard await transport.welcome() != nil else {
            summary.joinFailures += 1
            return
        }
        let standIn = ChurnStandIn(CannedWorker(index: index, role: role, transport: transport, layout: layout, report: { _ in }),
                                   transport: transport)
        everyone.append(standIn)
        active.append(standIn)
        summary.joined += 1
        runs.append(Task { await standIn.run() })
    }
}
