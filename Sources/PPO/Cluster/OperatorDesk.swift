import ClusterCore
import ClusterTransport
import Foundation
import Synchronization
import Wire
import ZeroMQ

/// The learner's answers to an operator's control commands (`rlhf status`, `checkpoint`, `stop`,
/// `drain`, `scale`, `keys issue`), given at once on the transport's receive task: a checkpoint or a stop
/// is taken by the run loop after the iteration in progress (as SIGUSR1 and SIGTERM are), a drain goes to
/// the worker straight away (it answers `draining`, finishes what it holds, and the learner stops it), a
/// scale sets the role's target (the launcher starts missing workers; `enforceTargets` drains extra
/// ones), and an admit lets a newly issued worker key in, kept in the learner's key folder.
final class OperatorDesk: Sendable {
    struct State {
        var checkpoint = false, stop = false
        var iteration = 0
        var targets: RoleTargets
        /// Workers asked to drain (by the operator or for a target), so none is asked twice.
        var drainAsked: Set<WorkerID> = []
        /// The latest iteration's metrics, the plotted ones' history, and drops over the run by reason.
        var metrics: [String: Double] = [:], history: [String: [Double]] = [:], dropped: [String: Int] = [:]
        var sequence: UInt64 = 0
        var monitorEndpoint: String?
    }

    let state: Mutex<State>
    let iterations: Int
    let transport: ZMQLearnerTransport
    /// The learner's key folder, where admitted workers' public keys are kept (nil: a run without keys).
    private let keys: URL?
    /// The dispatcher as a monitor sees it.
    let view: @Sendable () -> RoundView

    /// A desk for a run of `iterations` with `targets` (the config's workers per role) over `transport`,
    /// keeping admitted keys in `keys`; `view` reads the round runner's dispatcher.
    init(iterations: Int, targets: [WorkerRole: Int], transport: ZMQLearnerTransport, keys: URL?, view: @escaping @Sendable () -> RoundView) {
        self.iterations = iterations
        self.transport = transport
        self.keys = keys
        self.view = view
        state = Mutex(State(targets: RoleTargets(targets)))
    }

    /// Where the learner publishes monitor updates (told to monitors in each snapshot).
    func monitor(at endpoint: String?) { state.withLock { $0.monitorEndpoint = endpoint } }

    /// Iterations done so far, and the last one's metrics (for `status` and the monitor).
    func progressed(to done: Int, metrics: [String: Double]) {
        state.withLock { state in
            state.iteration = done
            guard !metrics.isEmpty else { return }
            state.metrics = metrics
            for name in MonitorSnapshot.plotted {
                guard let value = metrics[name] else { continue }
                state.history[name, default: []].append(value)
                if state.history[name]!.count > MonitorSnapshot.historyLength { state.history[name]!.removeFirst() }
            }
            for (name, value) in metrics where name.hasPrefix("cluster/dropped/") {
                state.dropped[String(name.dropFirst("cluster/dropped/".count)), default: 0] += Int(value)
            }
        }
    }

    /// The operator's pending requests, the checkpoint one cleared (the stop stays).
    func take() -> PPORunRequests {
        state.withLock { state in
            defer { state.checkpoint = false }
            return PPORunRequests(checkpoint: state.checkpoint, stop: state.stop)
        }
    }

    /// The answer to `request`.
    func answer(_ request: OperatorRequest) -> OperatorAnswer {
        func done(_ message: String, status: String = "") -> OperatorAnswer {
            OperatorAnswer(id: request.id, done: true, message: message, status: status)
        }
        func refused(_ why: String) -> OperatorAnswer { OperatorAnswer(id: request.id, done: false, message: "refused: \(why)") }
        switch request.action {
        case .status:
            let snapshot = self.snapshot()
            return done("iteration \(snapshot.iteration) of \(iterations)", status: snapshot.json())
        case .checkpoint:
            let iteration = state.withLock { state in
                state.checkpoint = true
                return state.iteration
            }
            return done("a checkpoint after iteration \(iteration + 1) of \(iterations)")
        case .stop:
            let iteration = state.withLock { state in
                state.checkpoint = true
                state.stop = true
                return state.iteration
            }
            return done("a checkpoint after iteration \(iteration + 1) of \(iterations), then the run stops (continue it with --resume)")
        case let .drain(name):
            guard let worker = transport.worker(named: name) else { return refused("no worker \(name) is registered now") }
            if let why = drain(worker) { return refused("\(name) (\(worker)) cannot be reached: \(why)") }
            return done("draining \(name) (\(worker)): it takes no new work, finishes what it holds, then the learner stops it")
        case let .scale(role, count, relative):
            let outcome = state.withLock { (state: inout State) -> Result<(Int, Int), RoleTargets.Refusal> in
                Result { () throws(RoleTargets.Refusal) in (try state.targets.scale(role, count: count, relative: relative), state.targets.counts[role]!) }
            }
            switch outcome {
            case let .failure(why): return refused("\(why)")
            case let .success((before, after)):
                let drained = enforceTargets()
                let registered = transport.registered(role)
                let names = workerNames()
                let change = after > registered ? "; the launcher starts \(after - registered) more"
                    : drained.isEmpty ? "" : "; draining \(drained.map { names[$0] ?? "\($0)" }.joined(separator: ", "))"
                return done("\(role): target \(after) (was \(before)), \(registered) registered\(change)")
            }
        case let .admit(name, key):
            return admit(name: name, key: key).map(refused) ?? done("admitted \(name): its key is in the learner's folder; start it with rlhf worker --keys")
        }
    }

    /// Each registered worker's name (its key's, or its id without keys).
    func workerNames() -> [WorkerID: String] {
        Dictionary(transport.workers.map { ($0.record.id, $0.name ?? "\($0.record.id)") }, uniquingKeysWith: { a, _ in a })
    }

    /// Asks `worker` to drain; why it cannot be reached, or nil.
    private func drain(_ worker: WorkerID) -> String? {
        do { try transport.send(.drain, to: worker) } catch { return "\(error)" }
        state.withLock { _ = $0.drainAsked.insert(worker) }
        return nil
    }

    /// Drains the workers beyond each role's target (the newest first) that are not draining yet; returns them.
    @discardableResult
    func enforceTargets() -> [WorkerID] {
        let registered = transport.workers.map(\.record.id)
        let (targets, asked) = state.withLock { state in
            state.drainAsked.formIntersection(registered)  // gone workers leave the set
            return (state.targets, state.drainAsked)
        }
        let draining = Set(view().workers.filter { $0.value.state == "draining" }.map(\.key)).union(asked)
        let excess = targets.excess(registered.filter { !draining.contains($0) })
        return excess.filter { drain($0) == nil }
    }

    /// Admits worker `name`'s public key `key`: kept in the learner's key folder (a restarted learner
    /// admits it too), then let in; why not, or nil.
    private func admit(name: String, key: String) -> String? {
        guard let keys else { return "\(LearnerSession.AdmitRefusal.keyless)" }
        guard let curveKey = CurveKey(z85: key) else { return "\(LearnerSession.AdmitRefusal.malformedKey)" }
        return state.withLock { _ -> String? in  // one admit at a time: the check, the file and the session agree
            guard !transport.isIssued(name) else { return "\(LearnerSession.AdmitRefusal.nameTaken(name))" }
            guard transport.issuedCount < ClusterKeys.maximumWorkers + 1 else { return "this learner admits at most \(ClusterKeys.maximumWorkers) workers" }
            let file = keys.appendingPathComponent("\(name).public")
            guard !FileManager.default.fileExists(atPath: file.path) else { return "\(file.path) already exists" }
            do { try CurveKeyFile.writePublic(curveKey, to: file.path) } catch { return "cannot keep the key: \(error)" }
            do { try transport.admit(name: name, key: key) } catch {
                try? FileManager.default.removeItem(at: file)
                return "\(error)"
            }
            return nil
        }
    }
}
