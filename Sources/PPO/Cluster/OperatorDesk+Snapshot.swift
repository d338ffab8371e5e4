import ClusterCore
import ClusterTransport
import Wire

extension OperatorDesk {
    /// The run as a monitor sees it now (each call counts one in `sequence`): progress, targets, every
    /// registered worker with its state and accounts, the round, metrics and drop counters.
    func snapshot() -> MonitorSnapshot {
        let view = self.view()
        let (accounts, now) = transport.workerAccounts
        let refused = transport.refused
        var snapshot = state.withLock { state -> MonitorSnapshot in
            state.sequence += 1
            return MonitorSnapshot(sequence: state.sequence, iteration: state.iteration, iterations: iterations,
                                   targets: Dictionary(uniqueKeysWithValues: state.targets.counts.map { ($0.key.rawValue, $0.value) }),
                                   metrics: state.metrics, history: state.history, dropped: state.dropped)
        }
        snapshot.refused = refused
        snapshot.monitorEndpoint = state.withLock { $0.monitorEndpoint }
        var staleness: [String: Int] = [:]
        for (record, name) in transport.workers {
            let id = record.id
            let seen = view.workers[id]
            let lag = seen?.version.flatMap { held in view.policyVersion.map { max(0, $0 - held) } }
            let account = accounts.accounts[id]
            snapshot.workers[id.role.rawValue, default: 0] += 1
            snapshot.workerList.append(MonitorSnapshot.Worker(
                name: name ?? "\(id)", id: "\(id)", role: id.role.rawValue, host: record.host, pid: record.pid, device: record.device,
                state: seen?.state ?? "joining", version: seen?.version, lag: lag, tasks: account?.tasks ?? 0,
                busySeconds: account?.busySeconds ?? 0, tasksPerMinute: account?.tasksPerMinute(now: now) ?? 0,
                lastHeardSeconds: max(0, now - record.lastHeard), firstWorkSeconds: account?.timeToFirstWork,
                readySeconds: account?.timeToReady))
            if id.role == .rollout {
                staleness[lag.map { $0 >= 2 ? "2+" : "\($0)" } ?? "none", default: 0] += 1
            }
        }
        for role in WorkerRole.allCases where snapshot.workers[role.rawValue] == nil { snapshot.workers[role.rawValue] = 0 }
        snapshot.staleness = staleness
        snapshot.round = MonitorSnapshot.Round(iteration: view.iteration, state: view.state,
                                               queued: Dictionary(uniqueKeysWithValues: WorkerRole.allCases.map { ($0.rawValue, view.queued[$0] ?? 0) }),
                                               inFlight: Dictionary(uniqueKeysWithValues: view.inFlight.map { ("\($0.key)", $0.value) }))
        return snapshot
    }
}
