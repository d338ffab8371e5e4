import Foundation
import Logging
import Synchronization
import XCTest
@testable import ZeroMQ

/// Takes everything an inbox delivers into an array the test can wait on (an iterator is never
/// cancelled mid-wait, so "nothing arrives" can be checked without ending the stream).
final class Collector<Message: InboxMessage>: Sendable {
    private let received = Mutex<[Message]>([])
    private let ended = Mutex(false)

    init(_ inbox: Inbox<Message>) {
        Task { [self] in
            for await message in inbox { received.withLock { $0.append(message) } }
            ended.withLock { $0 = true }
        }
    }

    var messages: [Message] { received.withLock { $0 } }
    var count: Int { received.withLock { $0.count } }
    var finished: Bool { ended.withLock { $0 } }

    /// Waits until `count` messages have arrived; fails the test after `seconds`.
    @discardableResult
    func wait(for count: Int, within seconds: Double = 5, file: StaticString = #filePath, line: UInt = #line) async -> [Message] {
        let ok = await eventually(within: seconds) { self.count >= count }
        if !ok { XCTFail("\(self.count) of \(count) messages after \(seconds) s", file: file, line: line) }
        return messages
    }
}

/// Polls `condition` every 5 ms until it holds or `seconds` pass; true if it held.
func eventually(within seconds: Double, _ condition: @Sendable () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}

/// Limits that make reconnect and timeouts test-sized.
func quickLimits() -> SocketLimits {
    var limits = SocketLimits()
    limits.reconnectInterval = .milliseconds(50)
    limits.reconnectIntervalMax = .milliseconds(200)
    limits.sendTimeout = .seconds(5)
    return limits
}

/// Tests log only errors (every insecure endpoint would warn).
let quietLogger: Logger = {
    var logger = Logger(label: "rlhf.zmq.test")
    logger.logLevel = .error
    return logger
}()

/// A router on a free loopback port.
func loopbackRouter(_ context: ZMQContext, security: ServerSecurity = .insecure, limits: SocketLimits = quickLimits()) async throws -> RouterEndpoint {
    try await RouterEndpoint(RouterConfig(endpoint: "tcp://127.0.0.1:0", security: security, limits: limits, logger: quietLogger),
                             context: context)
}

/// A dealer connected to `router`.
func dealer(to router: RouterEndpoint, _ context: ZMQContext, security: ClientSecurity = .insecure,
            identity: PeerIdentity? = nil, limits: SocketLimits = quickLimits()) async throws -> DealerEndpoint {
    try await DealerEndpoint(DealerConfig(endpoint: router.boundEndpoint, security: security, limits: limits, identity: identity,
                                          logger: quietLogger),
                             context: context)
}

extension Frame {
    var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// A loopback port that is bound but never listened on (so connecting to it is refused) for as long as
/// the returned socket stays open; close it with `close(_:)` when done.
func unlistenedPort() throws -> (socket: Int32, endpoint: String) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw ZMQError.failed(operation: "socket", errno: errno) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let rc = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 ? getsockname(fd, pointer, &length) : -1
        }
    }
    guard rc == 0 else { close(fd); throw ZMQError.failed(operation: "bind", errno: errno) }
    return (fd, "tcp://127.0.0.1:\(UInt16(bigEndian: address.sin_port))")
}
