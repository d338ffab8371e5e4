import XCTest
@testable import ZeroMQ

/// Endpoints are checked as users type them, before libzmq sees them.
final class EndpointTests: XCTestCase {
    func testGoodEndpoints() throws {
        XCTAssertEqual(try Endpoint(parsing: "tcp://*:5555", binding: true).port, 5555)
        XCTAssertEqual(try Endpoint(parsing: "tcp://127.0.0.1:0", binding: true).port, 0)
        XCTAssertEqual(try Endpoint(parsing: "tcp://host-1.example:65535", binding: false).host, "host-1.example")
        XCTAssertEqual(try Endpoint(parsing: "tcp://[::1]:80", binding: false).host, "::1")
        XCTAssertEqual(try Endpoint(parsing: "tcp://[::1]:80", binding: false).description, "tcp://[::1]:80")
        XCTAssertEqual(try Endpoint(parsing: "ipc:///tmp/learner.sock", binding: true).transport, .ipc)
    }

    func testBadEndpoints() {
        for (text, binding, needle) in [("tcp://*:99999", true, "between 0 and 65535"), ("tcp://*:-1", true, "between 0 and 65535"),
                                        ("tcp://host:0", false, "between 1 and 65535"), ("tcp://*:5555", false, "only a bind's host"),
                                        ("tcp://:5555", true, "no host"), ("tcp://127.0.0.1", false, "no port"),
                                        ("tcp://h:55x", false, "not a number"), ("tcp://h:٥٥", false, "not a number"),
                                        ("udp://h:1", false, "expected tcp://"), ("ipc://", true, "socket path"),
                                        ("tcp://a b:1", false, "not a host"), ("tcp://[::1:80", false, "brackets")] {
            XCTAssertThrowsError(try Endpoint(parsing: text, binding: binding), text) {
                XCTAssertTrue("\($0)".contains(needle), "\(text): \($0)")
            }
        }
    }

    func testResolution() throws {
        XCTAssertTrue(try Endpoint(parsing: "tcp://127.0.0.1:5", binding: false).hostResolves)
        XCTAssertTrue(try Endpoint(parsing: "tcp://localhost:5", binding: false).hostResolves)
        XCTAssertFalse(try Endpoint(parsing: "tcp://no-such-host.invalid:5", binding: false).hostResolves)
    }
}
