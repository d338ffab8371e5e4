import Foundation
import XCTest
@testable import ZeroMQ

/// A router bounds connections that never finish their handshake: past `maxUnauthenticated` the oldest
/// are cut, each is closed after `handshakeTimeout` anyway, and a worker with a good key still gets in.
final class UnauthenticatedConnectionTests: XCTestCase {
    /// A plain TCP connection to `endpoint` (`tcp://127.0.0.1:PORT`) that sends nothing.
    private func silentConnection(_ endpoint: String) throws -> Int32 {
        let port = UInt16(endpoint.split(separator: ":").last!)!
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { close(fd); throw ZMQError.failed(operation: "connect", errno: errno) }
        return fd
    }

    /// Whether the server closed `fd` (a read sees the end, or an error) within `seconds`.
    private func closedByServer(_ fd: Int32, within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 512)
        while Date() < deadline {
            var item = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&item, 1, 100) > 0 else { continue }
            let n = read(fd, &buffer, buffer.count)  // libzmq's greeting first, then the end
            if n <= 0 { return true }
        }
        return false
    }

    func testSilentConnectionsAreCappedAndTimedOutWhileAGoodKeyGetsIn() async throws {
        let context = try ZMQContext()
        let server = try CurveKeyPair.generate(), good = try CurveKeyPair.generate()
        var limits = quickLimits()
        limits.maxUnauthenticated = 4
        limits.handshakeTimeout = .seconds(2)
        let router = try await loopbackRouter(context, security: .curve(keys: server, allowedClients: [good.publicKey]), limits: limits)
        let atRouter = Collector(router.incoming)
        let silent = try (0 ..< 12).map { _ in try silentConnection(router.boundEndpoint) }
        defer { for fd in silent { close(fd) } }
        let capped = await eventually(within: 5) { router.cutConnections >= 8 }
        XCTAssertTrue(capped, "12 silent connections with room for 4: the 8 oldest cut (cut \(router.cutConnections))")
        XCTAssertTrue(closedByServer(silent[0], within: 2), "the oldest was cut")
        XCTAssertTrue(closedByServer(silent[11], within: 4), "the newest was closed at the handshake timeout")

        // a flood of new silent connections, while a worker with a good key joins: it is served
        let flood = try (0 ..< 6).map { _ in try silentConnection(router.boundEndpoint) }
        defer { for fd in flood { close(fd) } }
        let worker = try await dealer(to: router, context, security: .curve(keys: good, serverKey: server.publicKey), limits: limits)
        try await worker.send([Frame("register")])
        let heard = await atRouter.wait(for: 1, within: 10)
        XCTAssertEqual(heard.first?.frames, [Frame("register")])
        await worker.close()
        await router.close()
    }
}
