import ClusterTransport
import Foundation
import Launch
import Logging
import Wire
import ZeroMQ

/// A worker process of a launched run, as the launcher knows it.
struct LaunchedWorker {
    /// Its key's name (`ROLE-INDEX`; `ROLE-INDEX` by plan position in a run without keys), and role.
    var name: String, role: ProcessRole
    /// Where it runs.
    var place: HostSlot, device: String
    /// Its process when this launcher started it (nil: one that rejoined from before, known by pid).
    var process: ChildProcess?
    var pid: Int
    /// `running`, `stopped` (exit 0: drained, or stopped by the learner), `exited N`, `killed by signal N`, or
    /// `gone` (not this launcher's child).
    var state = "running"
    /// It ran before this launcher and rejoined by itself; another process took its place after it died.
    var rejoined = false, replaced = false

    /// Whether its process still runs.
    var isRunning: Bool { process.map(\.isRunning) ?? LaunchRecord.isAlive(pid) }

    /// Its `cluster.json` entry.
    func entry(endpoint: String) -> [String: Any] {
        var entry: [String: Any] = ["role": role.rawValue, "index": Int(name.split(separator: "-").last ?? "0") ?? 0, "host": place.host,
                                    "slot": place.slot, "pid": pid, "name": name, "device": device, "endpoint": endpoint, "state": state]
        if rejoined { entry["rejoined"] = true }
        if replaced { entry["replaced"] = true }
        return entry
    }
}

/// The launcher's reconcile loop while the learner runs: it notes workers that exit (a drained one exits
/// 0 (`stopped`) and frees its slot), asks the learner for its targets (`rlhf scale` sets them) and registered
/// workers every second, and keeps each role at its target: a worker that died is started again under
/// its name and key, a role below its target gets new workers, each with a fresh key the learner admits
/// (`WorkerIssuing`), on a free slot of the host file. `cluster.json` is written again on every change.
final class LaunchSupervisor {
    private(set) var workers: [LaunchedWorker]
    private let hosts: HostFile
    private let keys: URL?
    private let endpoint: String
    private let start: (String, ProcessRole, HostSlot, String) throws -> ChildProcess
    private let cores: (String) -> Int
    private let record: ([LaunchedWorker], [String: Int]) -> Void
    private let logger: Logger
    private var targets: [String: Int] = [:]
    /// Per role: deaths in the last minute, and when the next replacement may start (a crash loop backs off).
    private var deaths: [ProcessRole: [Date]] = [:], nextStart: [ProcessRole: Date] = [:]
    private var lastAsked = Date.distantPast, lastWarned: [String: Date] = [:]
    /// The operator connection to the learner, opened once and kept (its CurveZMQ handshake is not redone
    /// every second).
    private var operatorClient: OperatorClient?

    /// A supervisor of `workers` on `hosts`; `start(name, role, slot, device)` starts a worker process,
    /// `record` writes `cluster.json`; `keys` is the run's key folder (nil: a run without keys, which is
    /// only watched: scaling needs the operator's key); `cores(host)` is a CPU host's cores.
    init(workers: [LaunchedWorker], hosts: HostFile, keys: URL?, endpoint: String, logger: Logger, cores: @escaping (String) -> Int,
         start: @escaping (String, ProcessRole, HostSlot, String) throws -> ChildProcess,
         record: @escaping ([LaunchedWorker], [String: Int]) -> Void) {
        self.workers = workers
        self.hosts = hosts
        self.keys = keys
        self.endpoint = endpoint
        self.logger = logger
        self.start = start
        self.cores = cores
        self.record = record
    }

    /// One pass: reap the workers that ended, then (once a second) reconcile with the learner's targets.
    /// `occupiedByLearner` is the learner's slot.
    func tick(learnerSlot: HostSlot) async {
        var changed = reap()
        if let keys, Date().timeIntervalSince(lastAsked) >= 1 {
            lastAsked = Date()
            changed = await reconcile(keys: keys, learnerSlot: learnerSlot) || changed
        }
        if changed { record(workers, targets) }
    }

    /// Closes the operator connection (the run has ended).
    func close() async {
        await operatorClient?.close()
        operatorClient = nil
    }

    /// Notes the workers whose processes ended; true if any did.
    private func reap() -> Bool {
        var changed = false
        for index in workers.indices where workers[index].state == "running" && !workers[index].isRunning {
            let worker = workers[index]
            if let process = worker.process {
                workers[index].state = process.terminationReason == .uncaughtSignal ? "killed by signal \(process.terminationStatus)"
                    : process.terminationStatus == 0 ? "stopped" : "exited \(process.terminationStatus)"
            } else {
                workers[index].state = "gone"
            }
            if workers[index].state != "stopped" { deaths[worker.role, default: []].append(Date()) }
            logger.notice("\(worker.name) (pid \(worker.pid)) ended: \(workers[index].state)")
            changed = true
        }
        return changed
    }

    /// Asks the learner for its targets and workers and starts what is missing; true if anything changed.
    private func reconcile(keys: URL, learnerSlot: HostSlot) async -> Bool {
        let security: ClientSecurity
        do { security = try ClusterKeys.client(ClusterKeys.operatorFolder(in: keys), name: ClusterKeys.operatorName) } catch { return false }
        if operatorClient == nil {
            operatorClient = try? await OperatorClient(endpoint: endpoint, security: security, sendTimeout: 2, logger: logger)
        }
        guard let client = operatorClient, let answer = try? await client.ask(.status, timeout: 2),
              let status = try? MonitorSnapshot.decode(answer.status) else { return false }
        guard status.iteration < status.iterations else { return false }  // the run is ending: nothing to start
        var changed = status.targets != targets
        targets = status.targets
        for role in [ProcessRole.rollout, .reward, .reference] {
            guard let target = targets[role.rawValue] else { continue }
            let mine = Set(workers.map(\.name))
            let draining = Set(status.workerList.filter { $0.state == "draining" }.map(\.name))
            let live = workers.filter { $0.role == role && $0.state == "running" && !draining.contains($0.name) }.count
            let others = status.workerList.filter { $0.role == role.rawValue && !mine.contains($0.name) && $0.state != "draining" }.count
            let missing = target - live - others
            guard missing > 0, Date() >= nextStart[role, default: .distantPast] else { continue }
            for _ in 0..<missing {
                guard await startOne(role, keys: keys, security: security, learnerSlot: learnerSlot) else { break }
                changed = true
            }
        }
        return changed
    }

    /// Starts one `role` worker: a dead one again under its name and key on its slot, or a new one with a
    /// fresh key on a free slot; false if none could start.
    private func startOne(_ role: ProcessRole, keys: URL, security: ClientSecurity, learnerSlot: HostSlot) async -> Bool {
        let now = Date()
        deaths[role] = deaths[role, default: []].filter { now.timeIntervalSince($0) < 60 }
        let recent = deaths[role]!.count
        if recent >= 3 { nextStart[role] = now.addingTimeInterval(min(30, pow(2, Double(recent - 2)))) }
        let occupied = Set(workers.filter { $0.state == "running" }.map(\.place) + [learnerSlot])
        if let dead = workers.firstIndex(where: { $0.role == role && !$0.replaced && $0.state != "running" && $0.state != "stopped"
                                                  && !occupied.contains($0.place) }) {
            let old = workers[dead]
            workers[dead].replaced = true
            return launch(old.name, role, old.place, old.device, because: "\(old.name) \(old.state): starting it again")
        }
        guard let (place, device) = PlacementPlan.freeSlots(hosts, occupied: occupied, cores: cores).first else {
            warnOnce("slots.\(role)", "no free slot for another \(role) worker: every slot of the host file's hosts without roles= is taken")
            return false
        }
        guard let workerRole = WorkerRole(rawValue: role.rawValue) else { return false }
        do {
            let (name, _) = try await WorkerIssuing.issue(workerRole, into: keys, endpoint: endpoint, security: security, timeout: 5, logger: logger)
            return launch(name, role, place, device, because: "the learner's \(role) target is \(targets[role.rawValue] ?? 0)")
        } catch {
            warnOnce("issue.\(role)", "cannot issue a \(role) worker: \(error)")
            return false
        }
    }

    /// Starts worker `name`; false if its process could not start.
    private func launch(_ name: String, _ role: ProcessRole, _ place: HostSlot, _ device: String, because why: String) -> Bool {
        do {
            let process = try start(name, role, place, device)
            workers.append(LaunchedWorker(name: name, role: role, place: place, device: device, process: process,
                                          pid: Int(process.processIdentifier)))
            logger.notice("started \(name) (pid \(process.processIdentifier)) on \(place.host) slot \(place.slot) \(device): \(why)")
            return true
        } catch {
            warnOnce("start.\(role)", "cannot start \(name): \(error)")
            return false
        }
    }

    /// Logs `line` under `key` at most once a minute.
    private func warnOnce(_ key: String, _ line: String) {
        guard Date().timeIntervalSince(lastWarned[key] ?? .distantPast) >= 60 else { return }
        lastWarned[key] = Date()
        logger.warning("\(line)")
    }
}
