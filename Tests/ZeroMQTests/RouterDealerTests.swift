import Foundation
import Synchronization
import XCTest
@testable import ZeroMQ

/// ROUTER/DEALER over loopback tcp, plain (CurveZMQ has its own tests).
final class RouterDealerTests: XCTestCase {
    func testMultipartRoundTripBothWays() async throws {
        let context = try ZMQContext()
        let router = try await loopbackRouter(context)
        XCTAssertTrue(router.boundEndpoint.hasPrefix("tcp://127.0.0.1:"), router.boundEndpoint)
        XCTAssertFalse(router.boundEndpoint.hasSuffix(":0"))
        let worker = try await dealer(to: router, context)
        let atRouter = Collector(router.incoming)
        let atWorker = Collector(worker.incoming)

        for i in 0 ..< 5 {
            try await worker.send([Frame("header \(i)"), Frame([]), Frame([1, 2, 3, UInt8(i)])])
        }
        let requests = await atRouter.wait(for: 5)
        for (i, request) in requests.enumerated() {
            XCTAssertEqual(request.frames, [Frame("header \(i)"), Frame([]), Frame([1, 2, 3, UInt8(i)])])
            XCTAssertEqual(request.peer, requests[0].peer)
            if i % 2 == 0 {
                try await router.send([Frame("reply \(i)"), request.frames[2]], to: request.peer)
            } else {
                try router.post([Frame("reply \(i)"), request.frames[2]], to: request.peer)
            }
        }
        let replies = await atWorker.wait(for: 5)
        XCTAssertEqual(replies.map { $0.map(\.text) }, (0 ..< 5).map { ["reply \($0)", String(decoding: [1, 2, 3, UInt8($0)], as: UTF8.self)] })

        await worker.close()
        await router.close()
        let finished = await eventually(within: 2) { atRouter.finished && atWorker.finished }
        XCTAssertTrue(finished, "inboxes finish after close")
    }

    func testManyDealersOneRouter() async throws {
        let context = try ZMQContext()
        let router = try await loopbackRouter(context)
        let dealers = 16, messages = 20
        var workers: [DealerEndpoint] = []
        var inboxes: [Collector<[Frame]>] = []
        for _ in 0 ..< dealers {
            let worker = try await dealer(to: router, context)
            workers.append(worker)
            inboxes.append(Collector(worker.incoming))
        }
        // The router echoes everything back to its sender.
        let echo = Task {
            var peers = Set<PeerIdentity>()
            for await message in router.incoming {
                peers.insert(message.peer)
                try await router.send(message.frames, to: message.peer)
            }
            return peers.count
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (d, worker) in workers.enumerated() {
                group.addTask { for m in 0 ..< messages { try await worker.send([Frame("\(d)"), Frame("\(m)")]) } }
            }
            try await group.waitForAll()
        }
        for (d, inbox) in inboxes.enumerated() {
            let echoed = await inbox.wait(for: messages)
            XCTAssertEqual(echoed.map { $0.map(\.text) }, (0 ..< messages).map { ["\(d)", "\($0)"] }, "dealer \(d)")
        }
        for worker in workers { await worker.close() }
        await router.close()
        let peers = try await echo.value
        XCTAssertEqual(peers, dealers)
    }

    func testSixtyFourMebibyteFrameRoundTrip() async throws {
        let context = try ZMQContext()
        let router = try await loopbackRouter(context)
        let worker = try await dealer(to: router, context)
        let atRouter = Collector(router.incoming)
        let atWorker = Collector(worker.incoming)

        let buffer = FrameBuffer(count: 64 << 20)
        let words = buffer.bytes.bindMemory(to: UInt32.self)
        for i in words.indices { words[i] = UInt32(truncatingIfNeeded: i &* 2_654_435_761) }
        try await worker.send([Frame("weights"), buffer.frame(0 ..< buffer.count)])
        let request = await atRouter.wait(for: 1, within: 20)[0]
        XCTAssertEqual(request.frames[1].count, 64 << 20)
        // Send the received frame straight back (lent to libzmq, not copied).
        try await router.send([request.frames[1]], to: request.peer)
        let reply = await atWorker.wait(for: 1, within: 20)[0]
        XCTAssertEqual(reply.count, 1)
        let same = reply[0].withUnsafeBytes { $0.elementsEqual(UnsafeRawBufferPointer(buffer.bytes)) }
        XCTAssertTrue(same, "64 MiB frame came back unchanged")
        await worker.close()
        await router.close()
    }

    func testFrameOverTheLimitIsNotDelivered() async throws {
        let context = try ZMQContext()
        var limits = quickLimits()
        limits.maxFrameBytes = 1 << 20
        let router = try await loopbackRouter(context, limits: limits)
        let atRouter = Collector(router.incoming)
        let big = try await dealer(to: router, context)
        try await big.send([Frame([UInt8](repeating: 7, count: 2 << 20))])
        let good = try await dealer(to: router, context)
        try await good.send([Frame("small")])
        let got = await atRouter.wait(for: 1)
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertEqual(atRouter.messages.map { $0.frames.map(\.text) }, [["small"]], "the 2 MiB frame is dropped, with its connection")
        XCTAssertEqual(got.count, 1)
        await big.close()
        await good.close()
        await router.close()
    }

    func testSendToUnknownPeerIsTypedError() async throws {
        let context = try ZMQContext()
        let router = try await loopbackRouter(context)
        do {
            try await router.send([Frame("hello")], to: PeerIdentity("nobody"))
            XCTFail("send to an unknown peer succeeded")
        } catch {
            XCTAssertEqual(error, .unknownPeer(PeerIdentity("nobody")))
            XCTAssertEqual(error.description, "zmq send to peer nobody failed: no such peer is connected (EHOSTUNREACH)")
        }
        // A post returns at once; its failure is counted (and logged) instead.
        try router.post([Frame("hello")], to: PeerIdentity("nobody"))
        let counted = await eventually(within: 2) { router.failedPosts == 1 }
        XCTAssertTrue(counted)
        do {
            try await router.send([], to: PeerIdentity("nobody"))
            XCTFail("empty message sent")
        } catch {
            XCTAssertEqual(error, .emptyMessage)
        }
        await router.close()
    }

    func testChosenIdentityAndReconnectAfterRouterRestart() async throws {
        let context = try ZMQContext()
        let first = try await loopbackRouter(context)
        let endpoint = first.boundEndpoint
        let worker = try await dealer(to: first, context, identity: PeerIdentity("worker-7"))
        let atWorker = Collector(worker.incoming)
        let atFirst = Collector(first.incoming)
        try await worker.send([Frame("one")])
        let hello = await atFirst.wait(for: 1)
        XCTAssertEqual(hello.first?.peer, PeerIdentity("worker-7"))
        try await first.send([Frame("welcome")], to: PeerIdentity("worker-7"))
        await atWorker.wait(for: 1)
        await first.close()

        // A new router on the same port (libzmq closes the old listener on its I/O thread a moment after
        // close, so binding may need a retry): the dealer reconnects by itself (50 ms interval here).
        let second = try await bindRetrying(endpoint, context)
        let atSecond = Collector(second.incoming)
        // A message written just before the dealer noticed the old connection close is lost with it, as
        // ZeroMQ does: the worker says it again (the protocol's re-REGISTER) until the new router hears it.
        for _ in 0 ..< 100 where atSecond.count == 0 {
            try await worker.send([Frame("two")])
            _ = await eventually(within: 0.05) { atSecond.count > 0 }
        }
        let again = atSecond.messages
        XCTAssertEqual(again.first?.frames.map(\.text), ["two"])
        XCTAssertEqual(again.first?.peer, PeerIdentity("worker-7"))
        try await second.send([Frame("welcome back")], to: PeerIdentity("worker-7"))
        let replies = await atWorker.wait(for: 2)
        XCTAssertEqual(replies.map { $0.map(\.text) }, [["welcome"], ["welcome back"]])
        await worker.close()
        await second.close()
    }

    func testCloseWithBlockedSendsReturnsAtOnce() async throws {
        let context = try ZMQContext()
        var limits = quickLimits()
        limits.sendHighWaterMark = 1
        limits.sendTimeout = .seconds(60)
        // Nobody listens on this port: messages stay queued, the second one waits for room.
        let (port, endpoint) = try unlistenedPort()
        defer { close(port) }
        let worker = try await DealerEndpoint(DealerConfig(endpoint: endpoint, security: .insecure, limits: limits, logger: quietLogger), context: context)
        let atWorker = Collector(worker.incoming)
        let sends = Task {
            var errors: [ZMQError] = []
            for i in 0 ..< 4 {
                do throws(ZMQError) { try await worker.send([Frame("\(i)")]) } catch { errors.append(error) }
            }
            return errors
        }
        try await Task.sleep(for: .milliseconds(100))
        let start = ContinuousClock.now
        await worker.close()
        let errors = await sends.value
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(1), "a hang guard: closing takes milliseconds")
        XCTAssertFalse(errors.isEmpty)
        XCTAssertTrue(errors.allSatisfy { if case .closed = $0 { true } else { false } }, "\(errors)")
        let finished = await eventually(within: 1) { atWorker.finished }
        XCTAssertTrue(finished)
        XCTAssertThrowsError(try worker.post([Frame("late")]))
        do {
            try await worker.send([Frame("late")])
            XCTFail("send after close")
        } catch {
            XCTAssertEqual(error, .closed(operation: "send to \(endpoint)"))
        }
        await worker.close()  // twice is fine
    }

    func testSendTimesOutWhenTheQueueStaysFull() async throws {
        let context = try ZMQContext()
        var limits = quickLimits()
        limits.sendHighWaterMark = 1
        limits.sendTimeout = .milliseconds(200)
        let (port, endpoint) = try unlistenedPort()
        defer { close(port) }
        let worker = try await DealerEndpoint(DealerConfig(endpoint: endpoint, security: .insecure, limits: limits, logger: quietLogger), context: context)
        var timedOut: ZMQError?
        for i in 0 ..< 4 {
            do throws(ZMQError) { try await worker.send([Frame("\(i)")]) } catch { timedOut = error; break }
        }
        guard case .sendTimedOut = timedOut else { return XCTFail("expected a timeout, got \(String(describing: timedOut))") }
        await worker.close()
    }

    func testBindErrorsAreTyped() async throws {
        let context = try ZMQContext()
        let router = try await loopbackRouter(context)
        do {
            _ = try await RouterEndpoint(RouterConfig(endpoint: router.boundEndpoint, security: .insecure, logger: quietLogger), context: context)
            XCTFail("bound the same port twice")
        } catch {
            XCTAssertEqual(error.errno, EADDRINUSE)
            XCTAssertTrue(error.description.hasPrefix("zmq bind \(router.boundEndpoint) (router) failed: Address already in use"), error.description)
        }
        do {
            _ = try await DealerEndpoint(DealerConfig(endpoint: "tcp://", security: .insecure, logger: quietLogger), context: context)
            XCTFail("connected to nonsense")
        } catch {
            XCTAssertEqual(error.errno, EINVAL, error.description)
        }
        do {
            _ = try await DealerEndpoint(DealerConfig(endpoint: router.boundEndpoint, security: .insecure, identity: PeerIdentity([0, 1]), logger: quietLogger), context: context)
            XCTFail("took a routing id starting with a zero byte")
        } catch {
            guard case .invalidConfig = error else { return XCTFail("\(error)") }
        }
        await router.close()
    }

    func testSlowConsumerGetsEverythingInOrder() async throws {
        let context = try ZMQContext()
        var limits = quickLimits()
        limits.inboxMessages = 4
        limits.receiveHighWaterMark = 4
        let router = try await loopbackRouter(context, limits: limits)
        let worker = try await dealer(to: router, context)
        let count = 200
        let sender = Task { for i in 0 ..< count { try await worker.send([Frame("\(i)")]) } }
        var seen: [String] = []
        for await message in router.incoming {
            seen.append(message.frames[0].text)
            if seen.count % 50 == 0 { try await Task.sleep(for: .milliseconds(20)) }
            if seen.count == count { break }
        }
        try await sender.value
        XCTAssertEqual(seen, (0 ..< count).map(String.init))
        await worker.close()
        await router.close()
    }

    func testInprocRoundTrip() async throws {
        let context = try ZMQContext()
        let router = try await RouterEndpoint(RouterConfig(endpoint: "inproc://learner-test", security: .insecure, logger: quietLogger), context: context)
        XCTAssertEqual(router.boundEndpoint, "inproc://learner-test")
        let worker = try await DealerEndpoint(DealerConfig(endpoint: "inproc://learner-test", security: .insecure, logger: quietLogger), context: context)
        let atRouter = Collector(router.incoming)
        let atWorker = Collector(worker.incoming)
        try await worker.send([Frame("ping")])
        let ping = await atRouter.wait(for: 1)[0]
        try await router.send([Frame("pong")], to: ping.peer)
        let pong = await atWorker.wait(for: 1)[0]
        XCTAssertEqual(pong, [Frame("pong")])
        await worker.close()
        await router.close()
    }

    func testDroppingEndpointsAndContextDoesNotHang() async throws {
        let start = ContinuousClock.now
        for _ in 0 ..< 5 {
            let context = try ZMQContext()
            let router = try await loopbackRouter(context)
            let worker = try await dealer(to: router, context)
            try await worker.send([Frame("x")])
            _ = worker
            _ = router
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(3), "a hang guard: five contexts come and go in milliseconds")
    }

    /// Binds `endpoint`, retrying while the port is still held by a router closed a moment ago.
    private func bindRetrying(_ endpoint: String, _ context: ZMQContext) async throws -> RouterEndpoint {
        let config = RouterConfig(endpoint: endpoint, security: .insecure, limits: quickLimits(), logger: quietLogger)
        for _ in 0 ..< 100 {
            let result: Result<RouterEndpoint, ZMQError> = await {
                do throws(ZMQError) { return .success(try await RouterEndpoint(config, context: context)) } catch { return .failure(error) }
            }()
            switch result {
            case let .success(router): return router
            case let .failure(error) where error.errno == EADDRINUSE: try await Task.sleep(for: .milliseconds(20))
            case let .failure(error): throw error
            }
        }
        throw ZMQError.failed(operation: "bind \(endpoint) (retried for 2 s)", errno: EADDRINUSE)
    }

    /// Many tasks sending at once through one socket thread: every send completes and every message
    /// arrives (a lost wake-up of the socket thread would leave sends waiting forever).
    func testConcurrentSendersAllComplete() async throws {
        let context = try ZMQContext()
        let router = try await loopbackRouter(context)
        let worker = try await dealer(to: router, context)
        let atWorker = Collector(worker.incoming)
        let tasks = 8, each = 300
        let sent = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for t in 0 ..< tasks {
                    group.addTask { for i in 0 ..< each { try await worker.send([Frame("\(t)"), Frame("\(i)")]) } }
                }
                try await group.waitForAll()
            }
        }
        // Echo from many tasks too, so the router's thread is woken from several threads at once.
        let echo = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                var started = 0
                for await message in router.incoming {
                    group.addTask { try await router.send(message.frames, to: message.peer) }
                    started += 1
                    if started == tasks * each { break }
                }
                try await group.waitForAll()
            }
        }
        let arrived = await eventually(within: 20) { atWorker.count == tasks * each }
        XCTAssertTrue(arrived, "\(atWorker.count) of \(tasks * each) echoes")
        if arrived {
            try await sent.value
            try await echo.value
            for t in 0 ..< tasks {
                let mine = atWorker.messages.filter { $0[0].text == "\(t)" }.compactMap { Int($0[1].text) }.sorted()
                XCTAssertEqual(mine, Array(0 ..< each), "task \(t)'s messages")
            }
        }
        await worker.close()
        await router.close()
    }
}

/// The learner never waits on one peer: posts to a dealer that stopped reading wait on the socket thread
/// for that peer alone, another dealer gets its messages meanwhile, and once the stuck peer's queue has
/// stayed full past the send timeout the router reports it (`takeStalledPeers`) for the caller to drop.
final class StalledPeerTests: XCTestCase {
    func testAPeerThatStopsReadingIsReportedAndHoldsUpNoOne() async throws {
        let context = try ZMQContext()
        var routerLimits = quickLimits()
        routerLimits.sendHighWaterMark = 4
        routerLimits.sendTimeout = .milliseconds(500)
        let router = try await loopbackRouter(context, limits: routerLimits)
        var stuckLimits = quickLimits()
        stuckLimits.inboxMessages = 1  // holds one message and reads no more: nobody consumes its inbox
        stuckLimits.receiveHighWaterMark = 4
        let stuck = try await dealer(to: router, context, limits: stuckLimits)
        let healthy = try await dealer(to: router, context)
        let atHealthy = Collector(healthy.incoming)
        let arrivals = Collector(router.incoming)
        try await stuck.send([Frame("stuck")])
        try await healthy.send([Frame("healthy")])
        let hello = await arrivals.wait(for: 2)
        let stuckPeer = try XCTUnwrap(hello.first { $0.frames.first?.text == "stuck" }?.peer)
        let healthyPeer = try XCTUnwrap(hello.first { $0.frames.first?.text == "healthy" }?.peer)
        let big = Frame([UInt8](repeating: 7, count: 1 << 16))
        for _ in 0 ..< 2000 { try router.post([big], to: stuckPeer) }  // 128 MiB: far past the socket buffers
        for i in 0 ..< 50 { try router.post([Frame("\(i)")], to: healthyPeer) }
        let got = await atHealthy.wait(for: 50, within: 5)  // a hang guard; they arrive in milliseconds
        XCTAssertEqual(got.map { $0.first?.text }, (0 ..< 50).map { "\($0)" }, "the healthy peer is not held up, and its order is kept")
        let stalled = Mutex<Set<PeerIdentity>>([])
        let reported = await eventually(within: 10) {
            let taken = router.takeStalledPeers()
            return stalled.withLock { $0.formUnion(taken); return !$0.isEmpty }
        }
        XCTAssertTrue(reported, "the stuck peer is reported once its queue stayed full past the send timeout")
        XCTAssertEqual(stalled.withLock { $0 }, [stuckPeer], "only the stuck peer")
        await stuck.close()
        await healthy.close()
        await router.close()
    }
}
