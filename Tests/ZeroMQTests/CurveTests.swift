import XCTest
@testable import ZeroMQ

/// CurveZMQ on the work socket: only the keys the router was given get answers.
final class CurveTests: XCTestCase {
    override func setUp() async throws {
        // the cluster needs CURVE: a libzmq without it (built without libsodium) is a failure, not a skip
        XCTAssertTrue(ZMQContext.hasCurve, "this libzmq has no CURVE: install Debian's libzmq3-dev")
    }

    func testKeyPairsAndZ85() throws {
        let pair = try CurveKeyPair.generate()
        XCTAssertNotEqual(pair.publicKey, pair.secretKey)
        XCTAssertEqual(pair.publicKey.z85.count, 40)
        XCTAssertEqual(CurveKey(z85: pair.publicKey.z85), pair.publicKey)
        XCTAssertNotEqual(try CurveKeyPair.generate(), pair)
        // The Z85 test vector of ZeroMQ RFC 32: 8 bytes <-> "HelloWorld".
        let known = CurveKey(bytes: [UInt8](repeating: 0, count: 32))!
        XCTAssertEqual(known.z85, String(repeating: "0", count: 40))
        XCTAssertNil(CurveKey(z85: "too short"))
        XCTAssertNil(CurveKey(z85: String(repeating: "~", count: 40)))
        XCTAssertNil(CurveKey(bytes: [1, 2, 3]))
    }

    func testOnlyTheGivenClientKeyIsAnswered() async throws {
        let context = try ZMQContext()
        let server = try CurveKeyPair.generate()
        let good = try CurveKeyPair.generate()
        let stranger = try CurveKeyPair.generate()
        let router = try await loopbackRouter(context, security: .curve(keys: server, allowedClients: [good.publicKey]))
        let atRouter = Collector(router.incoming)

        let worker = try await dealer(to: router, context, security: .curve(keys: good, serverKey: server.publicKey))
        let atWorker = Collector(worker.incoming)
        let keyless = try await dealer(to: router, context, security: .insecure)
        let atKeyless = Collector(keyless.incoming)
        let unknown = try await dealer(to: router, context, security: .curve(keys: stranger, serverKey: server.publicKey))
        let atUnknown = Collector(unknown.incoming)
        let wrongServer = try await dealer(to: router, context, security: .curve(keys: good, serverKey: stranger.publicKey))
        let atWrongServer = Collector(wrongServer.incoming)

        try await worker.send([Frame("good 1")])
        // libzmq may drop a failed handshake's queue and wait to reconnect: these sends can time out.
        for (endpoint, text) in [(keyless, "keyless"), (unknown, "unknown"), (wrongServer, "wrong server key")] {
            Task { try? await endpoint.send([Frame(text)]) }
        }
        let first = await atRouter.wait(for: 1)[0]
        XCTAssertEqual(first.frames, [Frame("good 1")])
        try await router.send([Frame("answer 1")], to: first.peer)
        await atWorker.wait(for: 1)

        let refused = await eventually(within: 5) { router.refusedClients >= 1 }
        XCTAssertTrue(refused, "the ZAP handler refused the unknown key")
        try await Task.sleep(for: .milliseconds(300))
        // The good client is still served after the others were turned away.
        try await worker.send([Frame("good 2")])
        let second = await atRouter.wait(for: 2)[1]
        try await router.send([Frame("answer 2")], to: second.peer)
        let answers = await atWorker.wait(for: 2)
        XCTAssertEqual(answers.map { $0.map(\.text) }, [["answer 1"], ["answer 2"]])
        XCTAssertEqual(atRouter.messages.map { $0.frames.map(\.text) }, [["good 1"], ["good 2"]], "nothing from the other three")
        XCTAssertEqual(atKeyless.count + atUnknown.count + atWrongServer.count, 0)

        for endpoint in [worker, keyless, unknown, wrongServer] { await endpoint.close() }
        await router.close()
    }

    func testTwoCurveRoutersInOneContextKeepTheirOwnKeys() async throws {
        let context = try ZMQContext()
        let (serverA, serverB, client) = (try CurveKeyPair.generate(), try CurveKeyPair.generate(), try CurveKeyPair.generate())
        let routerA = try await loopbackRouter(context, security: .curve(keys: serverA, allowedClients: [client.publicKey]))
        let routerB = try await loopbackRouter(context, security: .curve(keys: serverB, allowedClients: []))
        let atA = Collector(routerA.incoming)
        let atB = Collector(routerB.incoming)
        let toA = try await dealer(to: routerA, context, security: .curve(keys: client, serverKey: serverA.publicKey))
        let toB = try await dealer(to: routerB, context, security: .curve(keys: client, serverKey: serverB.publicKey))
        try await toA.send([Frame("a")])
        Task { try? await toB.send([Frame("b")]) }
        await atA.wait(for: 1)
        let refused = await eventually(within: 5) { routerB.refusedClients >= 1 }
        XCTAssertTrue(refused)
        XCTAssertEqual(atB.count, 0)
        XCTAssertEqual(routerA.refusedClients, 0)
        for endpoint in [toA, toB] { await endpoint.close() }
        await routerA.close()
        await routerB.close()
    }

    func testCurveOnInprocIsRefused() async throws {
        let context = try ZMQContext()
        let keys = try CurveKeyPair.generate()
        do {
            _ = try await RouterEndpoint(RouterConfig(endpoint: "inproc://x", security: .curve(keys: keys, allowedClients: [])), context: context)
            XCTFail("curve on inproc")
        } catch {
            guard case .invalidConfig = error else { return XCTFail("\(error)") }
        }
    }
}
