import ClusterCore
import ClusterTransport
import Foundation
import Logging
import Wire
import ZeroMQ

/// A learner's ZeroMQ transport and one worker transport per role in `roles`, all in this process and
/// connected over loopback tcp, plain or CurveZMQ, as `rlhf learner` and `rlhf worker` build them: what
/// `rlhf bench transport` measures. The learner has a libzmq context of its own and the workers share
/// another (one I/O thread each), as a learner process and a worker host would.
package final class BenchCluster: Sendable {
    /// The learner's end (nobody reads its `incoming` until the bench does).
    let learner: ZMQLearnerTransport
    /// Each worker's end, welcomed by the learner.
    let workers: [ZMQWorkerTransport]
    /// Each worker's role.
    let roles: [WorkerRole]
    /// Each worker's CurveZMQ side (workers that join later take these again: the learner admits them).
    let clientKeys: [ClientSecurity]
    private let contexts: [ZMQContext]

    /// The workers' libzmq context (workers that join later share it).
    var workerContext: ZMQContext { contexts[1] }

    /// Starts the learner on a free loopback port, then registers every worker and waits for its welcome.
    /// With `sameHost`, the workers register from this host's name (generators then take weights from the
    /// learner's shared-memory file); else each from a host of its own.
    static func start(_ security: BenchSecurity, roles: [WorkerRole], sameHost: Bool = false, logger: Logger) async throws -> BenchCluster {
        let keys = try BenchKeys(security, workers: roles.count)
        let learnerContext = try ZMQContext(), workerContext = try ZMQContext()
        let learner = try await ZMQLearnerTransport(
            endpoint: "tcp://127.0.0.1:0", security: keys.server,
            welcome: LearnerSession.WelcomeInfo(runSeed: 0, runConfig: "", overrides: [], digest: []),
            context: learnerContext, logger: logger)
        var workers: [ZMQWorkerTransport] = []
        for (i, role) in roles.enumerated() {
            // a host name each: the learner rate-limits registrations per host
            let registration = Register(role: role, host: sameHost ? ProcessInfo.processInfo.hostName : "bench-\(i)", pid: Int(getpid()), device: "cpu",
                                        capabilities: WorkerCapabilities(maxRowsPerTask: 1 << 16, backends: ["cpu"]))
            workers.append(try await ZMQWorkerTransport(endpoint: learner.endpoint, security: keys.clients[i],
                                                        registration: registration, context: workerContext, logger: logger))
        }
        let cluster = BenchCluster(learner: learner, workers: workers, roles: roles, clientKeys: keys.clients,
                                   contexts: [learnerContext, workerContext])
        let started = workers
        let welcomed = try await withBenchTimeout(30, waitingFor: "the learner to welcome \(roles.count) workers") {
            await withTaskGroup(of: Bool.self) { group in
                for worker in started { group.addTask { await worker.welcome() != nil } }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
        }
        guard welcomed == roles.count else {
            await cluster.close()
            throw TransportBenchError.workersMissing(role: "registered", expected: roles.count, got: welcomed)
        }
        return cluster
    }

    private init(learner: ZMQLearnerTransport, workers: [ZMQWorkerTransport], roles: [WorkerRole], clientKeys: [ClientSecurity],
                 contexts: [ZMQContext]) {
        self.learner = learner
        self.workers = workers
        self.roles = roles
        self.clientKeys = clientKeys
        self.contexts = contexts
    }

    /// Starts a `CannedWorker` on every worker transport (rollout ones expecting weights of `layout`);
    /// each says hello to the learner.
    func startStandIns(layout: [WeightTensor], report: @escaping @Sendable (WeightInstall) -> Void = { _ in }) -> [Task<Void, Never>] {
        zip(workers, roles).enumerated().map { index, pair in
            let (transport, role) = pair
            if role == .rollout { transport.expectWeights(layout: layout) }
            let worker = CannedWorker(index: index, role: role, transport: transport, layout: layout, report: report)
            return Task { await worker.run() }
        }
    }

    /// Weight versions the workers took from the learner's shared-memory file, summed.
    var sharedWeightsTaken: Int { workers.reduce(0) { $0 + $1.sharedWeightsTaken } }

    /// Frames the workers' transports dropped, by reason, summed.
    var dropped: [String: Int] {
        workers.reduce(into: [:]) { total, worker in total.merge(worker.dropped, uniquingKeysWith: +) }
    }

    /// Closes every worker's socket, then the learner's.
    func close() async {
        for worker in workers { await worker.close() }
        await learner.close()
        withExtendedLifetime(contexts) {}
    }
}
