import ClusterCore
import ClusterTransport
import Foundation
import Logging
import Wire
import XCTest
import ZeroMQ

/// Weights to a generator of another host under CurveZMQ, through the real ZeroMQ transports on
/// loopback: the chunks come sealed from the learner's plain weights socket (counted as sealed chunks
/// sent) and the version arrives equal; a stranger on that socket (no ticket, a made-up ticket, garbage
/// frames) is sent nothing and counted, and the generator still takes the next version.
final class SealedWeightsTransportTests: XCTestCase {
    func testAnotherHostsGeneratorTakesSealedChunksAndStrangersGetNothing() async throws {
        var logger = Logger(label: "test.sealed-weights")
        logger.logLevel = .critical
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-sealed-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try ClusterKeys.generate(in: folder, workers: ["rollout-0"])
        let context = try ZMQContext()
        let learner = try await ZMQLearnerTransport(
            endpoint: "tcp://127.0.0.1:0", security: try ClusterKeys.server(ClusterKeys.learnerFolder(in: folder)),
            welcome: LearnerSession.WelcomeInfo(runSeed: 1, runConfig: "seed: 1\n", overrides: [],
                                                digest: RunConfigDigest.of(text: "seed: 1\n", overrides: [])),
            context: context, logger: logger)
        let port = try XCTUnwrap(learner.sealedWeightsPort, "a CurveZMQ learner on tcp has a weights socket")
        var inbox = learner.incoming.makeAsyncIterator()
        let layout = [WeightTensor(name: "w", shape: [3 << 18]), WeightTensor(name: "b", shape: [1000])]
        let generator = try await ZMQWorkerTransport(
            endpoint: learner.endpoint, security: try ClusterKeys.client(ClusterKeys.workerFolder(in: folder, name: "rollout-0"), name: "rollout-0"),
            registration: Register(role: .rollout, host: "another-host", pid: 2, device: "cpu",
                                   capabilities: WorkerCapabilities(maxRowsPerTask: 1, backends: ["cpu"])),
            learnerTimeout: 60, context: context, logger: logger)
        generator.expectWeights(layout: layout)
        _ = await generator.welcome()
        try generator.send(.hello(.rollout))
        var id: WorkerID?
        while id == nil, let event = await inbox.next() {
            if case let .message(delivery) = event, case .hello(.rollout) = delivery.message { id = delivery.from }
        }
        let worker = try XCTUnwrap(id)
        var received = generator.incoming.makeAsyncIterator()
        let count = layout.reduce(0) { $0 + $1.count }
        func version(_ v: Int) -> PolicyWeights {
            PolicyWeights(version: v, replaces: v > 1 ? v - 1 : nil, tensors: layout,
                          values: WeightValues((0..<count).map { Float(($0 * 31 + v) % 4099) * 0.25 }))
        }
        try learner.send(.weights(version(1)), to: worker)
        guard case let .weights(first) = await received.next() else { return XCTFail("no weights") }
        XCTAssertEqual(first, version(1))
        XCTAssertEqual(learner.counters["cluster/weights/sealed_chunks"], 4, "3.004 MB in 4 sealed chunks")

        // a stranger on the plain weights socket
        let stranger = try await DealerEndpoint(DealerConfig(endpoint: "tcp://127.0.0.1:\(port)", security: .insecure, name: "stranger",
                                                             logger: logger), context: context)
        func post(_ request: WeightsRequest) throws {
            try stranger.post(try WireCodec.encode(.weightsRequest(request), header: WireHeader(worker: 0, sequence: 1)).map { Frame($0) })
        }
        try post(WeightsRequest(version: 1, byteOffset: 0, credit: 64))
        try post(WeightsRequest(version: 1, byteOffset: 0, credit: 64, ticket: ChunkSeal.newTicket()))
        try stranger.post([Frame([1, 2, 3]), Frame([4])])
        try await Task.sleep(for: .milliseconds(500))
        XCTAssertEqual(learner.counters["cluster/refused/weights_ticket"], 2, "no ticket, and a made-up one")
        XCTAssertEqual(learner.counters["cluster/refused/wrong_kind"], 1, "garbage frames")
        XCTAssertEqual(learner.counters["cluster/weights/sealed_chunks"], 4, "the stranger was sent nothing")

        try learner.send(.weights(version(2)), to: worker)
        guard case let .weights(second) = await received.next() else { return XCTFail("no second version") }
        XCTAssertEqual(second, version(2))
        XCTAssertEqual(generator.dropped, [:])
        await stranger.close()
        await generator.close()
        await learner.close()
    }
}
