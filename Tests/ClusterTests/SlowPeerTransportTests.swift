import ClusterCore
import ClusterTransport
import Foundation
import Logging
import Wire
import XCTest
import ZeroMQ

/// The learner never waits on one peer, through the real ZeroMQ transports on loopback: a peer that
/// registers as a generator, asks for a published version's weights over and over and never reads what
/// it is sent does not hold up the heartbeats of an honest worker (it never loses the learner); it is
/// sent no more than 64 chunks (its further requests are refused as `credit_exhausted`), and once its
/// queue has stayed full past the send timeout it is dropped and counted (`slow_peer`).
/// Before, one send task awaited every send, so the sink's full queue held up every peer's messages.
final class SlowPeerTransportTests: XCTestCase {
    func testAPeerThatNeverReadsHoldsUpNoHonestWorker() async throws {
        var logger = Logger(label: "test.slow-peer")
        logger.logLevel = .critical
        var limits = SocketLimits()
        limits.sendHighWaterMark = 8
        limits.sendTimeout = .seconds(2)
        let context = try ZMQContext()
        let learner = try await ZMQLearnerTransport(
            endpoint: "tcp://127.0.0.1:0", security: .insecure,
            welcome: LearnerSession.WelcomeInfo(runSeed: 1, runConfig: "seed: 1\n", overrides: [],
                                                digest: RunConfigDigest.of(text: "seed: 1\n", overrides: [])),
            heartbeatInterval: 0.5, limits: limits, context: context, logger: logger)
        var inbox = learner.incoming.makeAsyncIterator()
        let capabilities = WorkerCapabilities(maxRowsPerTask: 1, backends: ["cpu"])
        let honest = try await ZMQWorkerTransport(
            endpoint: learner.endpoint, security: .insecure,
            registration: Register(role: .reward, host: "honest", pid: 2, device: "cpu", capabilities: capabilities),
            learnerTimeout: 60, context: context, logger: logger)
        _ = await honest.welcome()
        try honest.send(.hello(.reward))
        // the sink: reads its welcome and nothing after
        var sinkLimits = SocketLimits()
        sinkLimits.inboxMessages = 1
        sinkLimits.receiveHighWaterMark = 2
        let sink = try await DealerEndpoint(DealerConfig(endpoint: learner.endpoint, security: .insecure, limits: sinkLimits,
                                                         name: "sink", logger: logger), context: context)
        var sequence: UInt64 = 0
        func post(_ message: WireMessage) throws {
            sequence += 1
            try sink.post(try WireCodec.encode(message, header: WireHeader(worker: 0, sequence: sequence)).map { Frame($0) })
        }
        try post(.register(Register(role: .rollout, host: "sink", pid: 3, device: "cpu", capabilities: capabilities)))
        try await Task.sleep(for: .milliseconds(300))
        try post(.ready(Ready(credit: 1)))
        var generator: WorkerID?
        while generator == nil, let event = await inbox.next() {
            if case let .message(delivery) = event, case .hello(.rollout) = delivery.message { generator = delivery.from }
        }
        let sinkID = try XCTUnwrap(generator)
        // version 4 of 80 MiB (80 chunks): more than the 64 the sink may have on their way
        let weights = PolicyWeights(version: 4, replaces: nil, tensors: [WeightTensor(name: "w", shape: [80 << 18])],
                                    values: WeightValues([Float](repeating: 0.25, count: 80 << 18)))
        try learner.send(.weights(weights), to: sinkID)
        let drain = Task { while await inbox.next() != nil {} }  // the learner keeps reading its events
        let flood = Task {
            for _ in 0 ..< 400 {
                try post(.weightsRequest(WeightsRequest(version: 4, byteOffset: 0, credit: 64)))
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        // 6 s of flooding: the honest worker hears the learner's heartbeats all along (liveness: 1.5 s; a
        // send held up behind the sink waits 2 s)
        try await Task.sleep(for: .seconds(6))
        XCTAssertEqual(honest.learnerLosses, 0, "the honest worker never lost the learner")
        XCTAssertGreaterThanOrEqual(learner.counters["cluster/refused/slow_peer"] ?? 0, 1, "the sink was dropped as a slow peer")
        XCTAssertGreaterThanOrEqual(learner.counters["cluster/refused/credit_exhausted"] ?? 0, 1, "asking again without reading was refused")
        XCTAssertEqual(learner.registered(.reward), 1, "the honest worker is still registered")
        flood.cancel()
        drain.cancel()
        await sink.close()
        await honest.close()
        await learner.close()
    }
}
