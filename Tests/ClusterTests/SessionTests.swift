@testable import ClusterCore
import Wire
import XCTest

/// The learner's and a worker's wire sessions talking through the real codec, with a manual clock:
/// registration and welcome, a weight stream by credit, liveness both ways, and hostile frames from a
/// raw peer dropped and counted.
final class SessionTests: XCTestCase {
    static let welcome = LearnerSession.WelcomeInfo(runSeed: 7, runConfig: "seed: 7\n", overrides: ["iterations=2"], digest: [1, 2])
    static let registration = Register(role: .rollout, host: "h", pid: 42, device: "cpu:0",
                                       capabilities: WorkerCapabilities(maxRowsPerTask: 16, backends: ["cpu"]))

    /// `message` through encode and decode, as a peer of `sender` would send it.
    static func wire(_ message: WireMessage, worker: UInt32 = 0, from sender: WirePeer) -> Result<WireEnvelope, WireError> {
        Result { () throws(WireError) -> WireEnvelope in
            var frames = try WireCodec.encode(message, header: WireHeader(worker: worker, sequence: 1))
            if case let .weightsChunk(chunk) = message { frames[2] = chunk.bytes }
            return try WireCodec.decode(frames: frames, from: sender)
        }
    }

    func testRegisterWelcomeAndAWeightStreamByCredit() throws {
        var learner = LearnerSession(welcome: Self.welcome)
        var worker = WorkerSession(registration: Self.registration, credit: 1)
        worker.expectWeights(layout: WeightStreamTests.layout)
        let peer: [UInt8] = [0, 1, 2, 3]
        guard case let .transmit(register)? = worker.start(now: 0).first else { return XCTFail("no register") }
        let registered = learner.receive(Self.wire(register, from: .worker), from: peer, now: 0)
        let id = WorkerID(role: .rollout, index: 0)
        XCTAssertFalse(registered.contains { if case .deliver = $0 { true } else { false } }, "no work before READY")
        guard case let .transmit(_, number, welcome)? = registered.first else { return XCTFail("no welcome") }
        guard case let .welcomed(w)? = worker.receive(Self.wire(welcome, worker: number, from: .learner), now: 0).first else {
            return XCTFail("not welcomed")
        }
        XCTAssertEqual(w.runConfig, "seed: 7\n")
        XCTAssertEqual(w.configOverrides, ["iterations=2"])
        XCTAssertEqual(worker.number, number)
        guard case let .transmit(ready)? = worker.send(.hello(.rollout), now: 0).first else { return XCTFail("no ready") }
        let readied = learner.receive(Self.wire(ready, worker: number, from: .worker), from: peer, now: 0)
        XCTAssertTrue(readied.contains { if case .deliver(.message(Delivery(from: id, message: .hello(.rollout)))) = $0 { true } else { false } })
        XCTAssertTrue(learner.receive(Self.wire(ready, worker: number, from: .worker), from: peer, now: 0).isEmpty, "hello once")
        // DRAIN reaches the role as `.drain`; its answer `draining` goes back as READY with credit 0
        guard case let .transmit(_, _, drain)? = learner.send(.drain, to: id)?.first else { return XCTFail("no drain") }
        XCTAssertEqual(worker.receive(Self.wire(drain, worker: number, from: .learner), now: 0), [.deliver(.drain)])
        guard case let .transmit(draining)? = worker.send(.draining, now: 0).first else { return XCTFail("no draining") }
        XCTAssertEqual(draining, .ready(Ready(credit: 0)))
        let drained = learner.receive(Self.wire(draining, worker: number, from: .worker), from: peer, now: 0)
        XCTAssertEqual(drained.count, 1)
        XCTAssertTrue(drained.contains { if case .deliver(.message(Delivery(from: id, message: .draining))) = $0 { true } else { false } })
        defer {
            // STOP: the worker leaves the run at once; its last heartbeat is no stranger's frame
            let stop = learner.send(.stop, to: id)
            XCTAssertEqual(stop?.count, 1)
            XCTAssertEqual(learner.registry.count(.rollout), 0)
            XCTAssertNil(learner.send(.stop, to: id), "gone")
            XCTAssertTrue(learner.receive(Self.wire(.heartbeat, worker: number, from: .worker), from: peer, now: 2).isEmpty)
            XCTAssertEqual(learner.refused, [:])
        }

        // the weights: manifest, then chunks one at a time as the worker asks
        var toWorker = try XCTUnwrap(learner.send(.weights(WeightStreamTests.weights), to: id))
        var delivered: PolicyWeights?, requests = 0
        while !toWorker.isEmpty {
            var toLearner: [WireMessage] = []
            for output in toWorker {
                let message: WireMessage
                switch output {
                case let .transmit(_, _, m): message = m
                case let .transmitChunk(_, _, stream, offset):
                    message = .weightsChunk(WeightsChunk(version: stream.manifest.version, byteOffset: offset,
                                                         bytes: stream.withChunk(at: offset) { Array($0) }!))
                default: continue
                }
                for reply in worker.receive(Self.wire(message, from: .learner), now: 1) {
                    if case let .transmit(m) = reply { toLearner.append(m) }
                    if case let .deliver(.weights(weights)) = reply { delivered = weights }
                }
            }
            requests += toLearner.count
            toWorker = toLearner.flatMap { learner.receive(Self.wire($0, from: .worker), from: peer, now: 1) }
        }
        XCTAssertEqual(delivered, WeightStreamTests.weights)
        XCTAssertEqual(requests, 2, "2 chunks (1 MiB and the rest) at credit 1: one request up front, one after the first chunk")
    }

    /// A drain asked for while the role is still being built is not lost: it follows the first READY.
    func testADrainBeforeTheRoleIsBuiltFollowsItsFirstReady() {
        var worker = WorkerSession(registration: Self.registration)
        _ = worker.start(now: 0)
        XCTAssertEqual(worker.send(.draining, now: 0), [], "nothing to drain yet: the learner would ignore it")
        XCTAssertEqual(worker.send(.hello(.rollout), now: 0), [.transmit(.ready(Ready(credit: 1))), .transmit(.ready(Ready(credit: 0)))])
    }

    func testLivenessBothWays() {
        var learner = LearnerSession(welcome: Self.welcome, heartbeatInterval: 1)
        _ = learner.receive(Self.wire(.register(Self.registration), from: .worker), from: [9], now: 0)
        XCTAssertTrue(learner.tick(now: 1).contains { if case .transmit(_, _, .heartbeat) = $0 { true } else { false } })
        XCTAssertTrue(learner.tick(now: 3.5).contains { if case .deliver(.left(WorkerID(role: .rollout, index: 0))) = $0 { true } else { false } })
        XCTAssertEqual(learner.registry.workers.count, 0)

        var worker = WorkerSession(registration: Self.registration)
        _ = worker.start(now: 0)
        _ = worker.receive(Self.wire(.welcome(Welcome(worker: 3, heartbeatMilliseconds: 1000, runSeed: 0, policyVersion: 0,
                                                      configDigest: [])), from: .learner), now: 0)
        XCTAssertEqual(worker.tick(now: 1.2), [.transmit(.heartbeat)], "quiet for an interval: a heartbeat")
        XCTAssertEqual(worker.tick(now: 3.5).last, .learnerLost)
        XCTAssertNil(worker.number)
    }

    func testHostileFramesAreDroppedAndCounted() throws {
        var learner = LearnerSession(welcome: Self.welcome)
        let raw: [UInt8] = [7]
        // a malformed header, a message from a peer that never registered, a learner's kind from a worker
        _ = learner.receive(Result { () throws(WireError) in try WireCodec.decode(frames: [[0xFF, 0xFF], []], from: .worker) }, from: raw, now: 0)
        _ = learner.receive(Self.wire(.heartbeat, from: .worker), from: raw, now: 0)
        _ = learner.receive(Self.wire(.register(Self.registration), from: .worker), from: raw, now: 0)
        _ = learner.receive(Result { () throws(WireError) in
            try WireCodec.decode(frames: WireCodec.encode(.heartbeat, header: WireHeader(worker: 1, sequence: 1)), from: .learner)
        }, from: raw, now: 0)
        let flood = (0..<30).map { _ in learner.receive(Self.wire(.register(Self.registration), from: .worker), from: raw, now: 0.5) }
        XCTAssertEqual(learner.refused["malformed"], 1)
        XCTAssertEqual(learner.refused["stranger"], 1)
        XCTAssertEqual(learner.refused["registration_flood"], 21, "10 a second from one peer: 1 + 9 more accepted, 21 refused")
        XCTAssertEqual(flood.filter { $0.count == 1 }.count, 21, "each refusal is one log line")
    }
}
