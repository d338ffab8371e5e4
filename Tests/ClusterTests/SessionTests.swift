import Foundation
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

    /// The times `REGISTER` goes out between `from` and `to` (ticks every 10 ms), with no answer.
    private static func registerTimes(_ worker: inout WorkerSession, from: Double, to: Double) -> [Double] {
        var times: [Double] = []
        for step in stride(from: from, through: to, by: 0.01) {
            if worker.tick(now: step).contains(.transmit(.register(registration))) { times.append(step) }
        }
        return times
    }

    /// Without a `Welcome`, `REGISTER` goes out again after waits of 1, 2, 4, 8, 16, 16 … s, each times a
    /// jitter factor in [0.5, 1.5) that differs between workers; a `Welcome` stops it.
    func testRegisterIsRetriedWithBackOffAndJitterUntilWelcomed() {
        var first = WorkerSession(registration: Self.registration, jitterSeed: 1)
        var second = WorkerSession(registration: Self.registration, jitterSeed: 2)
        XCTAssertEqual(first.start(now: 0), [.transmit(.register(Self.registration))])
        _ = second.start(now: 0)
        let times = [0] + Self.registerTimes(&first, from: 0, to: 100)
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        XCTAssertGreaterThanOrEqual(gaps.count, 8)
        for (k, gap) in gaps.enumerated() {
            let wait = min(pow(2, Double(k)), 16)
            XCTAssertTrue((0.5 * wait - 0.011)...(1.5 * wait + 0.011) ~= gap, "wait \(k): \(gap) s for a nominal \(wait) s")
        }
        XCTAssertNotEqual(times, [0] + Self.registerTimes(&second, from: 0, to: 100), "jitter: workers do not register in lockstep")
        XCTAssertEqual(first.registrations, times.count)
        _ = first.receive(Self.wire(.welcome(Welcome(worker: 1, heartbeatMilliseconds: 1000, runSeed: 0, policyVersion: 0,
                                                     configDigest: [1])), from: .learner), now: 100)
        XCTAssertEqual(Self.registerTimes(&first, from: 100, to: 102), [], "welcomed: no more registrations")
    }

    /// A worker whose learner went silent registers again, and once its role is built it answers the new
    /// `Welcome` with READY at once: the learner counts it again and leases it work (before, it stayed
    /// registered but idle for good).
    func testAWorkerWelcomedAgainIsReadyForWorkAgain() throws {
        var learner = LearnerSession(welcome: Self.welcome, heartbeatInterval: 1)
        var worker = WorkerSession(registration: Self.registration)
        let peer: [UInt8] = [5], reconnected: [UInt8] = [6]  // a rebuilt connection has another routing id
        func toLearner(_ outputs: [WorkerSession.Output], from peer: [UInt8], now: Double) -> [LearnerSession.Output] {
            outputs.flatMap { output -> [LearnerSession.Output] in
                guard case let .transmit(message) = output else { return [] }
                return learner.receive(Self.wire(message, from: .worker), from: peer, now: now)
            }
        }
        func toWorker(_ outputs: [LearnerSession.Output], now: Double) -> [WorkerSession.Output] {
            outputs.flatMap { output -> [WorkerSession.Output] in
                guard case let .transmit(_, number, message) = output else { return [] }
                return worker.receive(Self.wire(message, worker: number, from: .learner), now: now)
            }
        }
        func hellos(_ outputs: [LearnerSession.Output]) -> [WorkerID] {
            outputs.compactMap { output -> WorkerID? in
                guard case let .deliver(.message(delivery)) = output, case .hello = delivery.message else { return nil }
                return delivery.from
            }
        }
        let welcomed = toWorker(toLearner(worker.start(now: 0), from: peer, now: 0), now: 0)
        XCTAssertTrue(welcomed.contains { if case .welcomed = $0 { true } else { false } })
        XCTAssertEqual(hellos(toLearner(worker.send(.hello(.rollout), now: 0.1), from: peer, now: 0.1)), [WorkerID(role: .rollout, index: 0)])
        // the learner freezes: the worker loses it, registers again (from its rebuilt connection)
        XCTAssertEqual(worker.tick(now: 3.5).last, .learnerLost)
        let again = toLearner(worker.start(now: 3.5), from: reconnected, now: 12)
        let answer = toWorker(again, now: 12)
        XCTAssertFalse(answer.contains { if case .welcomed = $0 { true } else { false } }, "the role is built once")
        XCTAssertTrue(answer.contains(.transmit(.ready(Ready(credit: 1)))), "READY after the new welcome")
        XCTAssertEqual(hellos(toLearner(answer, from: reconnected, now: 12)), [WorkerID(role: .rollout, index: 1)],
                       "the learner counts it again under its new id")
        XCTAssertEqual(learner.refused, [:])
    }

    /// `REGISTER`s that queued up before the learner answered (retries while it was frozen) get the same
    /// welcome again: one worker, one number, until its READY.
    func testARepeatedRegistrationBeforeReadyGetsTheSameWelcome() {
        var learner = LearnerSession(welcome: Self.welcome)
        let peer: [UInt8] = [8]
        var numbers: [UInt32] = []
        for step in 0..<4 {
            for output in learner.receive(Self.wire(.register(Self.registration), from: .worker), from: peer, now: Double(step) * 0.2) {
                if case let .transmit(_, number, .welcome) = output { numbers.append(number) }
            }
        }
        XCTAssertEqual(numbers.count, 4)
        XCTAssertEqual(Set(numbers).count, 1, "the same number each time")
        XCTAssertEqual(learner.registry.workers.map(\.id), [WorkerID(role: .rollout, index: 0)])
    }

    /// With keys, a key registers only as the worker it was issued for, and a second connection with the
    /// same key replaces the first (whose later frames are dropped without counting it a stranger).
    func testAKeyRegistersOnlyAsItsOwnWorkerAndANewConnectionReplacesTheOld() {
        var learner = LearnerSession(welcome: Self.welcome, clientNames: ["KEY-A": "reward-0", "KEY-B": "rollout-0"])
        func register(_ role: WorkerRole, from peer: [UInt8], user: String?) -> [LearnerSession.Output] {
            learner.receive(Self.wire(.register(Register(role: role, host: "h", pid: 1, device: "cpu",
                                                         capabilities: WorkerCapabilities(maxRowsPerTask: 1, backends: ["cpu"]))),
                                      from: .worker), from: peer, user: user, now: 0)
        }
        _ = register(.rollout, from: [1], user: "KEY-A")
        _ = register(.reward, from: [1], user: nil)
        _ = register(.reward, from: [1], user: "KEY-C")
        XCTAssertEqual(learner.refused["wrong_key"], 3, "reward-0's key as a generator, no key, an unknown key")
        XCTAssertEqual(learner.registry.workers.count, 0)
        XCTAssertTrue(register(.reward, from: [1], user: "KEY-A").contains { if case .transmit(_, _, .welcome) = $0 { true } else { false } })
        _ = learner.receive(Self.wire(.ready(Ready(credit: 1)), from: .worker), from: [1], user: "KEY-A", now: 0)
        let again = register(.reward, from: [2], user: "KEY-A")
        XCTAssertTrue(again.contains { if case .deliver(.left(WorkerID(role: .reward, index: 0))) = $0 { true } else { false } }, "\(again)")
        XCTAssertEqual(learner.registry.workers.map(\.id), [WorkerID(role: .reward, index: 1)], "one worker per key")
        XCTAssertTrue(learner.receive(Self.wire(.heartbeat, from: .worker), from: [1], user: "KEY-A", now: 1).isEmpty)
        XCTAssertNil(learner.refused["stranger"], "the replaced connection's last frames are no stranger's")
    }

    /// A peer whose queue stayed full (it stopped reading) is dropped: its worker leaves, it is counted,
    /// and what it still sends is dropped until it registers again.
    func testASlowPeerIsDroppedAndCounted() {
        var learner = LearnerSession(welcome: Self.welcome)
        _ = learner.receive(Self.wire(.register(Self.registration), from: .worker), from: [4], now: 0)
        let dropped = learner.dropSlowPeer([4])
        XCTAssertTrue(dropped.contains { if case .deliver(.left(WorkerID(role: .rollout, index: 0))) = $0 { true } else { false } })
        XCTAssertEqual(learner.refused["slow_peer"], 1)
        XCTAssertEqual(learner.registry.workers.count, 0)
        XCTAssertTrue(learner.receive(Self.wire(.heartbeat, from: .worker), from: [4], now: 1).isEmpty, "dropped without a word")
        XCTAssertTrue(learner.dropSlowPeer([9]).isEmpty, "an unknown peer: nothing")
    }

    /// A peer a send found not connected (its socket closed without a word) leaves at once, not after
    /// missed heartbeats: its worker's leases go back to the queue, and what was still on its way from
    /// it is dropped without counting a stranger.
    func testAPeerFoundDisconnectedLeavesAtOnce() {
        var learner = LearnerSession(welcome: Self.welcome)
        _ = learner.receive(Self.wire(.register(Self.registration), from: .worker), from: [4], now: 0)
        let gone = learner.dropGonePeer([4])
        XCTAssertTrue(gone.contains { if case .deliver(.left(WorkerID(role: .rollout, index: 0))) = $0 { true } else { false } }, "\(gone)")
        XCTAssertEqual(learner.registry.workers.count, 0)
        XCTAssertNil(learner.send(.stop, to: WorkerID(role: .rollout, index: 0)), "nothing more is sent to it")
        XCTAssertTrue(learner.receive(Self.wire(.heartbeat, from: .worker), from: [4], now: 1).isEmpty)
        XCTAssertNil(learner.refused["stranger"])
        XCTAssertTrue(learner.dropGonePeer([4]).isEmpty, "once")
        XCTAssertTrue(learner.dropGonePeer([9]).isEmpty, "an unknown peer: nothing")
    }

    /// A generator that asks for weights again and again without reading is sent at most 64 chunks, and
    /// the rest of its requests are refused and counted; a published stream is the one sent.
    func testWeightRequestsWithoutReadingAreBoundedAndCounted() throws {
        var learner = LearnerSession(welcome: Self.welcome)
        _ = learner.receive(Self.wire(.register(Self.registration), from: .worker), from: [4], now: 0)
        _ = learner.receive(Self.wire(.ready(Ready(credit: 1)), from: .worker), from: [4], now: 0)
        let id = WorkerID(role: .rollout, index: 0)
        let big = PolicyWeights(version: 2, replaces: nil, tensors: [WeightTensor(name: "w", shape: [100 << 18])],
                                values: WeightValues([Float](repeating: 0.5, count: 100 << 18)))  // 100 MiB: 100 chunks
        let stream = WeightStreamSource(big)
        learner.publish(stream)
        XCTAssertTrue(learner.isPublished(version: 2))
        let manifest = try XCTUnwrap(learner.send(.weights(big), to: id))
        guard case let .transmit(_, _, .weightsManifest(sent)) = manifest.first else { return XCTFail("no manifest") }
        XCTAssertEqual(sent, stream.manifest)
        var chunks = 0
        for t in 0..<20 {
            chunks += learner.receive(Self.wire(.weightsRequest(WeightsRequest(version: 2, byteOffset: 0, credit: 64)), from: .worker),
                                      from: [4], now: 1 + Double(t) * 0.1)
                .filter { if case .transmitChunk = $0 { true } else { false } }.count
        }
        XCTAssertEqual(chunks, 64)
        XCTAssertEqual(learner.refused["credit_exhausted"], 19)
    }

    /// The learner timeout counts from the start or the last word from the learner, through any number of
    /// registrations again, and ends the session once, with one line.
    func testTheLearnerTimeoutEndsTheSessionOnce() {
        var waiting = WorkerSession(registration: Self.registration, learnerTimeout: 10)
        _ = waiting.start(now: 0)
        XCTAssertFalse((0..<1000).flatMap { waiting.tick(now: Double($0) / 100) }.contains { if case .end = $0 { true } else { false } })
        guard case let .end(reason)? = waiting.tick(now: 10.5).first else { return XCTFail("no end") }
        XCTAssertTrue(reason.contains("10 s"), reason)
        XCTAssertEqual(waiting.tick(now: 11), [], "ended once")

        var welcomed = WorkerSession(registration: Self.registration, learnerTimeout: 10)
        _ = welcomed.start(now: 0)
        _ = welcomed.receive(Self.wire(.welcome(Welcome(worker: 3, heartbeatMilliseconds: 1000, runSeed: 0, policyVersion: 0,
                                                        configDigest: [1])), from: .learner), now: 2)
        XCTAssertEqual(welcomed.tick(now: 5.5).last, .learnerLost)
        _ = welcomed.start(now: 5.5)
        XCTAssertFalse((551..<1200).flatMap { welcomed.tick(now: Double($0) / 100) }.contains { if case .end = $0 { true } else { false } })
        XCTAssertTrue(welcomed.tick(now: 12.01).contains { if case .end = $0 { true } else { false } }, "10 s after the last word, at 2 s")
    }

    /// A learner that welcomes again with another run config runs another run: the worker ends.
    func testAnotherRunConfigEndsTheSession() {
        var worker = WorkerSession(registration: Self.registration)
        _ = worker.start(now: 0)
        func welcome(_ digest: [UInt8]) -> Result<WireEnvelope, WireError> {
            Self.wire(.welcome(Welcome(worker: 1, heartbeatMilliseconds: 1000, runSeed: 0, policyVersion: 0, configDigest: digest)),
                      from: .learner)
        }
        _ = worker.receive(welcome([1]), now: 0)
        _ = worker.send(.hello(.reward), now: 0)
        XCTAssertEqual(worker.receive(welcome([1]), now: 1).last, .transmit(.ready(Ready(credit: 1))))
        guard case .end? = worker.receive(welcome([2]), now: 2).first else { return XCTFail("not ended") }
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
        let refusals = flood.filter { outputs in
            guard outputs.count == 1, case let .log(line) = outputs[0] else { return false }
            return line.hasPrefix("refused")
        }
        XCTAssertEqual(refusals.count, 10, "the first 10 refusals of a reason are logged, one line each")
        XCTAssertEqual(flood.filter(\.isEmpty).count, 11, "the rest are counted without a line (until the 1,000th)")
    }
}
