import ClusterCore
import Dispatch
import Logging
import Training
import Wire

/// `rlhf bench transport`, measurement 1: one policy version from a learner's transport to `generators`
/// rollout stand-ins' transports. Each run publishes a new version and sends `.weights` to every
/// generator (the manifest; each generator then asks for the ~1 MiB chunks by credit, assembles them and
/// verifies every tensor's CRC-32C); timed from the first send until every generator has the verified
/// weights. The first send also builds the version's stream (one checksum pass over the values), as the
/// learner's does.
package enum WeightBroadcastBench {
    /// The JSON line of one security.
    package struct Result: Encodable {
        package let workload = "transport", measurement = "weights"
        package let security: BenchSecurity
        /// How the bytes went: `chunks` (each generator asks for them over its plain connection), `sealed`
        /// (with CurveZMQ: from the learner's weights socket, each chunk sealed once for all generators) or
        /// `shared-memory` (generators on the learner's host read the file the learner wrote once).
        package let path: String
        package let generators: Int, policy: String, floats: Int, tensors: Int
        /// Bytes each generator receives (the values; the manifest and chunk headers are not counted).
        package let bytes_per_generator: Int
        package let median_s: Double, min_s: Double, max_s: Double, times_s: [Double]
        /// All generators' bytes over the median.
        package let gbps_all: Double, gbps_per_generator: Double
        /// Median seconds of the first send (the version's checksums).
        package let first_send_s: Double
        /// Frames the generators' transports dropped, by reason (empty when none).
        package let dropped: [String: Int]
        /// Versions the generators took whole from the shared-memory file (each generator's every version
        /// on that path, or the bench fails; 0 on the chunks path).
        package let from_shared_memory: Int

        /// The result of timed runs `times` (first sends `firstSends`) of `policy` to `generators` by `path`.
        init(_ policy: BenchPolicy, security: BenchSecurity, path: String, generators: Int, times: [Double], firstSends: [Double],
             dropped: [String: Int], fromSharedMemory: Int) {
            let sorted = times.sorted(), median = sorted[sorted.count / 2]
            self.security = security
            self.path = path
            self.generators = generators
            self.policy = policy.name
            floats = policy.floats
            tensors = policy.layout.count
            bytes_per_generator = policy.bytes
            (median_s, min_s, max_s, times_s) = (median, sorted.first!, sorted.last!, times)
            gbps_all = Double(policy.bytes * generators) / median / 1e9
            gbps_per_generator = Double(policy.bytes) / median / 1e9
            first_send_s = firstSends.sorted()[firstSends.count / 2]
            self.dropped = dropped
            from_shared_memory = fromSharedMemory
        }
    }

    /// What the bench waits for.
    private enum Event: Sendable {
        case installed(WeightInstall)
        case learner(Delivery)
        case timedOut(version: Int)
    }

    /// Seconds one version may take before the bench gives up.
    static let runLimit = 600.0

    /// Measures `warmup` untimed and `runs` timed versions of `policy` under `security`.
    /// With `sharedMemory`, the generators register from the learner's host and take each version from its file.
    package static func measure(_ policy: BenchPolicy, security: BenchSecurity, generators: Int, sharedMemory: Bool = false, warmup: Int,
                                runs: Int, logger: Logger, progress: (ProgressReport) -> Void = { _ in }) async throws -> Result {
        let cluster = try await BenchCluster.start(security, roles: Array(repeating: .rollout, count: generators), sameHost: sharedMemory,
                                                   logger: logger)
        let (events, sink) = AsyncStream.makeStream(of: Event.self)
        let drain = Task {
            for await event in cluster.learner.incoming { if case let .message(delivery) = event { sink.yield(.learner(delivery)) } }
        }
        let standIns = cluster.startStandIns(layout: policy.layout) { sink.yield(.installed($0)) }
        var iterator = events.makeAsyncIterator()
        do {
            let ids = try await hellos(generators, &iterator, sink)
            var times: [Double] = [], firstSends: [Double] = []
            for run in 0..<(warmup + runs) {
                let version = run + 1
                let weights = policy.publish(version: version)
                let start = ContinuousClock.now
                for (i, id) in ids.enumerated() {
                    try cluster.learner.send(.weights(weights), to: id)
                    if i == 0, run >= warmup { firstSends.append((ContinuousClock.now - start).inSeconds) }
                }
                let end = try await installs(of: version, generators, &iterator, sink)
                let seconds = (end - start).inSeconds
                if run >= warmup { times.append(seconds) }
                progress(ProgressReport(done: run + 1, total: warmup + runs, note: String(format: "%.3f s", seconds)))
            }
            let dropped = cluster.dropped, fromFile = cluster.sharedWeightsTaken
            await stop(cluster, standIns, drain)
            guard fromFile == (sharedMemory ? generators * (warmup + runs) : 0) else {
                throw TransportBenchError.sharedMemory(taken: fromFile, expected: sharedMemory ? generators * (warmup + runs) : 0)
            }
            return Result(policy, security: security, path: sharedMemory ? "shared-memory" : security == .curve ? "sealed" : "chunks",
                          generators: generators, times: times, firstSends: firstSends, dropped: dropped, fromSharedMemory: fromFile)
        } catch {
            await stop(cluster, standIns, drain)
            throw error
        }
    }

    /// The learner-side ids of the first `count` generators that say hello.
    private static func hellos(_ count: Int, _ events: inout AsyncStream<Event>.AsyncIterator,
                               _ sink: AsyncStream<Event>.Continuation) async throws -> [WorkerID] {
        let timer = Task { try? await Task.sleep(for: .seconds(30)); sink.yield(.timedOut(version: 0)) }
        defer { timer.cancel() }
        var ids: [WorkerID] = []
        while ids.count < count, let event = await events.next() {
            switch event {
            case let .learner(delivery): if case .hello = delivery.message { ids.append(delivery.from) }
            case .timedOut: throw TransportBenchError.workersMissing(role: "rollout", expected: count, got: ids.count)
            case .installed: break
            }
        }
        guard ids.count == count else { throw TransportBenchError.workersMissing(role: "rollout", expected: count, got: ids.count) }
        return ids
    }

    /// When the last of `count` generators installed `version`; throws if one refused it.
    private static func installs(of version: Int, _ count: Int, _ events: inout AsyncStream<Event>.AsyncIterator,
                                 _ sink: AsyncStream<Event>.Continuation) async throws -> ContinuousClock.Instant {
        let timer = Task { try? await Task.sleep(for: .seconds(runLimit)); sink.yield(.timedOut(version: version)) }
        defer { timer.cancel() }
        var done: Set<Int> = [], last: ContinuousClock.Instant?
        while done.count < count, let event = await events.next() {
            switch event {
            case let .installed(install) where install.version == version:
                if let problem = install.problem {
                    throw TransportBenchError.weightsRefused(worker: "#\(install.worker)", version: version, reason: problem)
                }
                done.insert(install.worker)
                last = max(last ?? install.at, install.at)
            case let .learner(delivery):
                if case let .refused(refused, reason) = delivery.message, refused == version {
                    throw TransportBenchError.weightsRefused(worker: delivery.from.description, version: version, reason: reason)
                }
            case let .timedOut(late) where late == version:
                throw TransportBenchError.timedOut(what: "\(count) generators to install weights v\(version)", seconds: runLimit)
            default: break
            }
        }
        guard done.count == count, let last else {
            throw TransportBenchError.workersMissing(role: "rollout", expected: count, got: done.count)
        }
        return last
    }

    private static func stop(_ cluster: BenchCluster, _ standIns: [Task<Void, Never>], _ drain: Task<Void, Never>) async {
        await cluster.close()
        for task in standIns { await task.value }
        drain.cancel()
    }
}
