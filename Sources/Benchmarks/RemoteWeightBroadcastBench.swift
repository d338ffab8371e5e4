import ClusterCore
import ClusterTransport
import Foundation
import Logging
import Wire
import Training
import ZeroMQ

/// A generator stand-in that runs as a process of its own (`rlhf bench stand-in`), possibly on another
/// host (a network namespace with its own address): what `RemoteWeightBroadcastBench` needs of it.
package protocol StandInProcess: Sendable {
    /// Asks it to stop (SIGTERM).
    func terminate()
    /// Waits at most `seconds` for its end; whether it ended.
    func wait(seconds: Double) -> Bool
    /// Ends it at once (SIGKILL).
    func kill()
    /// Its exit status (or the signal that ended it), nil while it runs.
    var exitStatus: Int32? { get }
}

/// `rlhf bench transport --generator-host`, measurement 1 across hosts: the learner's real transport in
/// this process, bound at `--learner-address`, and each generator a stand-in process started through a
/// host's command (`ip netns exec HOST`, `ssh HOST`), so the weights cross real interfaces between
/// addresses. Each run publishes a new version and sends `.weights` to every generator; timed from the
/// first send until the learner has every generator's `WEIGHTS_INSTALLED` (sent once its stream is
/// assembled and verified). With CurveZMQ the chunks come sealed from the learner's weights socket
/// (`path`: `sealed`); plain, over the learner's channel (`chunks`).
package enum RemoteWeightBroadcastBench {
    private enum Event: Sendable {
        case learner(LearnerEvent)
        case timedOut(version: Int)
        /// Stand-in `index` ended before the bench stopped it.
        case standInEnded(index: Int, status: Int32)
    }

    /// Seconds the stand-ins have to register and say hello, and one version to install.
    static let helloLimit = 60.0, runLimit = 600.0

    /// Measures `warmup` untimed and `runs` timed versions of `policy` to `generators` stand-ins, started
    /// by turns through `hosts` (each a command prefix) by `spawn` (given the prefix and the stand-in's
    /// `rlhf bench stand-in` arguments). A stand-in that ends before it is stopped ends the bench at once.
    /// With `sealed` false, a CurveZMQ learner keeps no weights socket: the chunks go over each generator's
    /// CurveZMQ connection, encrypted once per generator (the road before sealed chunks, for comparison).
    package static func measure(_ policy: BenchPolicy, model: BenchModel, floats: Int?, loraRank: Int?, security: BenchSecurity,
                                sealed: Bool = true, generators: Int,
                                learnerAddress: String, hosts: [String], warmup: Int, runs: Int, logger: Logger,
                                spawn: (String, [String]) throws -> any StandInProcess,
                                progress: (ProgressReport) -> Void = { _ in }) async throws -> WeightBroadcastBench.Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-bench-keys-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let names = (0..<generators).map { "worker\($0)" }
        var server = ServerSecurity.insecure
        if security == .curve {
            _ = try ClusterKeys.generate(in: folder, workers: names)
            server = try ClusterKeys.server(ClusterKeys.learnerFolder(in: folder))
        }
        let context = try ZMQContext()
        let learner = try await ZMQLearnerTransport(
            endpoint: learnerAddress.contains(":") ? "tcp://[\(learnerAddress)]:0" : "tcp://\(learnerAddress):0", security: server,
            welcome: LearnerSession.WelcomeInfo(runSeed: 0, runConfig: "", overrides: [], digest: []),
            sharedMemoryWeights: false, sealedWeights: sealed, context: context, logger: logger)
        var processes: [any StandInProcess] = []
        func stopAll() async {
            for process in processes { process.terminate() }
            for process in processes where !process.wait(seconds: 10) { process.kill() }
            await learner.close()
        }
        do {
            for (i, name) in names.enumerated() {
                var arguments = ["bench", "stand-in", "--learner", learner.endpoint, "--model", model.rawValue, "--host-name", "bench-\(i)"]
                if let floats { arguments += ["--floats", "\(floats)"] }
                if let loraRank { arguments += ["--lora-rank", "\(loraRank)"] }
                arguments += security == .curve
                    ? ["--key-folder", ClusterKeys.workerFolder(in: folder, name: name).path, "--name", name] : ["--insecure"]
                processes.append(try spawn(hosts[i % hosts.count], arguments))
            }
            let (events, sink) = AsyncStream.makeStream(of: Event.self)
            let drain = Task { for await event in learner.incoming { sink.yield(.learner(event)) } }
            defer { drain.cancel() }
            let started = processes
            let watch = Task {
                while !Task.isCancelled {
                    if let (index, status) = started.enumerated().lazy.compactMap({ i, p in p.exitStatus.map { (i, $0) } }).first {
                        sink.yield(.standInEnded(index: index, status: status))
                        return
                    }
                    try? await Task.sleep(for: .milliseconds(200))
                }
            }
            defer { watch.cancel() }
            var iterator = events.makeAsyncIterator()
            var ids: [WorkerID] = []
            let helloTimer = Task { try? await Task.sleep(for: .seconds(helloLimit)); sink.yield(.timedOut(version: 0)) }
            while ids.count < generators, let event = await iterator.next() {
                if case .timedOut = event { break }
                if case let .standInEnded(index, status) = event { throw TransportBenchError.standInEnded(index: index, status: status) }
                if case let .learner(.message(delivery)) = event, case .hello = delivery.message { ids.append(delivery.from) }
            }
            helloTimer.cancel()
            guard ids.count == generators else { throw TransportBenchError.workersMissing(role: "rollout", expected: generators, got: ids.count) }
            var times: [Double] = [], firstSends: [Double] = []
            for run in 0..<(warmup + runs) {
                let version = run + 1
                let weights = policy.publish(version: version)
                let start = ContinuousClock.now
                for (i, id) in ids.enumerated() {
                    try learner.send(.weights(weights), to: id)
                    if i == 0, run >= warmup { firstSends.append((ContinuousClock.now - start).inSeconds) }
                }
                let timer = Task { try? await Task.sleep(for: .seconds(runLimit)); sink.yield(.timedOut(version: version)) }
                defer { timer.cancel() }
                var done = Set<WorkerID>()
                while done.count < generators, let event = await iterator.next() {
                    switch event {
                    case let .learner(.message(delivery)):
                        if case .installed(version) = delivery.message { done.insert(delivery.from) }
                        if case let .refused(refused, reason) = delivery.message, refused == version {
                            throw TransportBenchError.weightsRefused(worker: delivery.from.description, version: version, reason: reason)
                        }
                    case .timedOut(version):
                        throw TransportBenchError.timedOut(what: "\(generators) generators to install weights v\(version)", seconds: runLimit)
                    case let .standInEnded(index, status):
                        throw TransportBenchError.standInEnded(index: index, status: status)
                    default: break
                    }
                }
                guard done.count == generators else { throw TransportBenchError.workersMissing(role: "rollout", expected: generators, got: done.count) }
                let end = ContinuousClock.now
                let seconds = (end - start).inSeconds
                if run >= warmup { times.append(seconds) }
                progress(ProgressReport(done: run + 1, total: warmup + runs, note: String(format: "%.3f s", seconds)))
            }
            watch.cancel()
            for id in ids { try? learner.send(.stop, to: id) }
            await stopAll()
            return WeightBroadcastBench.Result(policy, security: security, path: security == .curve && sealed ? "sealed" : "chunks",
                                               generators: generators, times: times, firstSends: firstSends, dropped: [:], fromSharedMemory: 0)
        } catch {
            await stopAll()
            throw error
        }
    }
}
