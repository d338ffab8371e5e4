import Foundation
import XCTest
@testable import ZeroMQ

/// Hand-run measurements of the transport (docs/PERFORMANCE.md, "ZeroMQ transport"); skipped unless
/// RLHF_ZMQ_BENCH=1. Sizes: RLHF_ZMQ_BENCH_FLOATS (default 124M float32), RLHF_ZMQ_BENCH_IO (libzmq I/O
/// threads per context, default 1), RLHF_ZMQ_BENCH_RUNS (default 3).
final class TransportBenchmark: XCTestCase {
    private var environment: [String: String] { ProcessInfo.processInfo.environment }
    private func setting(_ name: String, _ fallback: Int) -> Int { environment[name].flatMap(Int.init) ?? fallback }

    override func setUp() async throws {
        guard environment["RLHF_ZMQ_BENCH"] == "1" else { throw XCTSkip("set RLHF_ZMQ_BENCH=1 to measure the transport") }
    }

    /// 124M float32 (496 MB) as 1 MiB zero-copy frames from one router to each of 1 and 4 dealers over
    /// loopback tcp, plain and with CurveZMQ: every dealer receives the whole buffer, as a weight stream does.
    func testBroadcastThroughput() async throws {
        let floats = setting("RLHF_ZMQ_BENCH_FLOATS", 124_000_000)
        let runs = setting("RLHF_ZMQ_BENCH_RUNS", 3)
        let buffer = FrameBuffer(count: floats * 4)
        let values = buffer.bytes.bindMemory(to: Float.self)
        for i in values.indices { values[i] = Float(i % 1000) * 0.001 }
        let frames = buffer.frames(chunkBytes: 1 << 20)
        print("zmq broadcast: \(floats) float32 = \(buffer.count) bytes as \(frames.count) frames of 1 MiB, \(setting("RLHF_ZMQ_BENCH_IO", 1)) I/O thread(s) per context")
        for curve in [false, true] {
            for dealers in [1, 4] {
                var times: [Double] = []
                for _ in 0 ..< runs { times.append(try await broadcast(frames, bytes: buffer.count, dealers: dealers, curve: curve)) }
                times.sort()
                let total = Double(buffer.count * dealers)
                print(String(format: "zmq broadcast %@ to %d dealer(s): median %.3f s (best %.3f), %.2f GB/s in all, %.2f GB/s per dealer; runs %@",
                             curve ? "curve" : "plain", dealers, times[times.count / 2], times[0], total / times[times.count / 2] / 1e9,
                             Double(buffer.count) / times[times.count / 2] / 1e9, times.map { String(format: "%.3f", $0) }.joined(separator: " ")))
            }
        }
    }

    /// Round trips per second: 64 dealers each send a 16-byte request and wait for the router's answer.
    func testSmallMessageRate() async throws {
        let dealers = 64, rounds = setting("RLHF_ZMQ_BENCH_ROUNDS", 400)
        for curve in [false, true] {
            for post in [false, true] {
                let seconds = try await requestReply(dealers: dealers, rounds: rounds, curve: curve, post: post)
                let trips = Double(dealers * rounds)
                print(String(format: "zmq small messages %@, router answers with %@: %d dealers x %d round trips in %.3f s: %.0f round trips/s (%.0f messages/s)",
                             curve ? "curve" : "plain", post ? "post" : "await send", dealers, rounds, seconds, trips / seconds, 2 * trips / seconds))
            }
        }
    }

    private func contexts() throws -> (ZMQContext, ZMQContext) {
        let io = setting("RLHF_ZMQ_BENCH_IO", 1)
        return (try ZMQContext(ioThreads: io), try ZMQContext(ioThreads: io))
    }

    private func endpoints(dealers: Int, curve: Bool, limits: SocketLimits) async throws -> (RouterEndpoint, [DealerEndpoint], [PeerIdentity], ZMQContext, ZMQContext) {
        let (learnerContext, workerContext) = try contexts()
        let server = try CurveKeyPair.generate()
        let clients = try (0 ..< dealers).map { _ in try CurveKeyPair.generate() }
        let router = try await RouterEndpoint(RouterConfig(
            endpoint: "tcp://127.0.0.1:0",
            security: curve ? .curve(keys: server, allowedClients: Set(clients.map(\.publicKey))) : .insecure,
            limits: limits, logger: quietLogger), context: learnerContext)
        var workers: [DealerEndpoint] = []
        for (i, client) in clients.enumerated() {
            workers.append(try await DealerEndpoint(DealerConfig(
                endpoint: router.boundEndpoint, security: curve ? .curve(keys: client, serverKey: server.publicKey) : .insecure,
                limits: limits, identity: PeerIdentity("d\(i)"), logger: quietLogger), context: workerContext))
        }
        return (router, workers, (0 ..< dealers).map { PeerIdentity("d\($0)") }, learnerContext, workerContext)
    }

    /// Seconds from the first send until every dealer has all `bytes`.
    private func broadcast(_ frames: [Frame], bytes: Int, dealers: Int, curve: Bool) async throws -> Double {
        var limits = SocketLimits()
        limits.sendHighWaterMark = frames.count + 16
        limits.receiveHighWaterMark = frames.count + 16
        let (router, workers, peers, learnerContext, workerContext) = try await endpoints(dealers: dealers, curve: curve, limits: limits)
        let hellos = Collector(router.incoming)
        for worker in workers { try await worker.send([Frame("hello")]) }
        await hellos.wait(for: dealers, within: 10)

        let start = ContinuousClock.now
        let receivers = workers.map { worker in
            Task {
                var received = 0
                for await message in worker.incoming {
                    received += message.byteCount
                    if received >= bytes { break }
                }
                return (received, ContinuousClock.now)
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for peer in peers {
                group.addTask { for frame in frames { try await router.send([frame], to: peer) } }
            }
            try await group.waitForAll()
        }
        var end = start
        for receiver in receivers {
            let (received, at) = await receiver.value
            XCTAssertEqual(received, bytes)
            end = max(end, at)
        }
        for worker in workers { await worker.close() }
        await router.close()
        withExtendedLifetime((learnerContext, workerContext)) {}
        return (end - start).seconds
    }

    /// `post`: the router answers with `post` (returns at once) instead of awaiting `send`.
    private func requestReply(dealers: Int, rounds: Int, curve: Bool, post: Bool) async throws -> Double {
        let (router, workers, _, learnerContext, workerContext) = try await endpoints(dealers: dealers, curve: curve, limits: SocketLimits())
        let answering = Task {
            for await request in router.incoming {
                if post { try router.post(request.frames, to: request.peer) } else { try await router.send(request.frames, to: request.peer) }
            }
        }
        // One warm-up round trip each: connections and handshakes are not measured.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in workers {
                group.addTask {
                    var replies = worker.incoming.makeAsyncIterator()
                    try await worker.send([Frame([UInt8](repeating: 1, count: 16))])
                    _ = await replies.next()
                }
            }
            try await group.waitForAll()
        }
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in workers {
                group.addTask {
                    var replies = worker.incoming.makeAsyncIterator()
                    for _ in 0 ..< rounds {
                        try await worker.send([Frame([UInt8](repeating: 2, count: 16))])
                        guard await replies.next() != nil else { throw ZMQError.closed(operation: "receive") }
                    }
                }
            }
            try await group.waitForAll()
        }
        let seconds = (ContinuousClock.now - start).seconds
        for worker in workers { await worker.close() }
        await router.close()
        answering.cancel()
        withExtendedLifetime((learnerContext, workerContext)) {}
        return seconds
    }
}
