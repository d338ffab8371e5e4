import ClusterCore
import Wire

/// A rollout generator's session as `ZMQWorkerTransport` drives it, in memory: it registers, builds its
/// role when first welcomed, assembles weight streams against the fuzz layout, and registers again when
/// it loses the learner. Every frame it would send is encoded and decoded again, and every version it
/// assembles must fit its layout.
struct WorkerUnderFuzz {
    private var session: WorkerSession
    private var sent: UInt64 = 0
    /// Versions assembled.
    private(set) var weightsAssembled = 0

    /// A generator that starts at time 0.
    init() {
        session = WorkerSession(registration: Register(role: .rollout, host: "fuzz", pid: 1, device: "cpu",
                                                        capabilities: WorkerCapabilities(maxRowsPerTask: 64, backends: ["cpu"])),
                                credit: 4, learnerTimeout: 300, jitterSeed: 1)
        session.expectWeights(layout: FuzzRun.layout)
        _ = session.start(now: 0)
    }

    /// Frames from the learner at `now`.
    mutating func receive(_ frames: [[UInt8]], now: Double) -> [String] {
        let decoded = Result { () throws(WireError) in try WireCodec.decode(frames: frames, from: .learner) }
        var violations: [String] = []
        if case let .success(envelope) = decoded { violations += FuzzRun.roundTrip(envelope, from: .learner) }
        return violations + handle(session.receive(decoded, now: now), now: now)
    }

    /// The clock reads `now`.
    mutating func tick(now: Double) -> [String] { handle(session.tick(now: now), now: now) }

    private mutating func handle(_ outputs: [WorkerSession.Output], now: Double) -> [String] {
        var violations: [String] = []
        for output in outputs {
            switch output {
            case let .transmit(message):
                sent += 1
                violations += FuzzRun.transmitted(message, header: WireHeader(worker: session.number ?? 0, sequence: sent), by: .worker)
            case .welcomed: violations += handle(session.send(.hello(.rollout), now: now), now: now)
            case let .deliver(.weights(weights)):
                weightsAssembled += 1
                let expected = FuzzRun.layout.reduce(0) { $0 + $1.count }
                if weights.values.count != expected || weights.tensors != FuzzRun.layout {
                    violations.append("the worker took weights v\(weights.version) of \(weights.values.count) values; its layout holds \(expected)")
                }
            case .learnerLost: violations += handle(session.start(now: now), now: now)
            case let .readSharedWeights(_, version):
                // a fuzzed manifest's file is never read: the stream falls back to chunks
                violations += handle(session.sharedWeightsUnavailable(version: version, reason: "not read under the fuzzer", now: now), now: now)
            case let .requestSealed(_, request):
                sent += 1
                violations += FuzzRun.transmitted(.weightsRequest(request), header: WireHeader(worker: session.number ?? 0, sequence: sent), by: .worker)
            case .deliver, .end, .log: break
            }
        }
        return violations
    }
}
