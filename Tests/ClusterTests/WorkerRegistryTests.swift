import ClusterCore
import Wire
import XCTest

/// The worker registry with a manual clock: ids per role, restarts, liveness after three missed
/// heartbeats, and the registration rate limit per identity and per host.
final class WorkerRegistryTests: XCTestCase {
    func testIdsPerRoleAndARestartReplacesTheOldId() {
        var registry = WorkerRegistry()
        XCTAssertEqual(registry.register(identity: "a", role: .rollout, host: "h1", pid: 1, device: "cpu", now: 0),
                       .accepted(WorkerID(role: .rollout, index: 0)))
        XCTAssertEqual(registry.register(identity: "b", role: .rollout, host: "h2", pid: 2, device: "cpu", now: 0),
                       .accepted(WorkerID(role: .rollout, index: 1)))
        XCTAssertEqual(registry.register(identity: "c", role: .reward, host: "h1", pid: 3, device: "cpu", now: 0),
                       .accepted(WorkerID(role: .reward, index: 0)))
        XCTAssertEqual(registry.register(identity: "a", role: .rollout, host: "h1", pid: 4, device: "cpu", now: 5),
                       .restarted(WorkerID(role: .rollout, index: 2), replaced: WorkerID(role: .rollout, index: 0)))
        XCTAssertEqual(registry.count(.rollout), 2)
        XCTAssertEqual(registry.worker(identity: "a"), WorkerID(role: .rollout, index: 2))
        XCTAssertEqual(registry.record(WorkerID(role: .rollout, index: 2))?.pid, 4)
    }

    func testAWorkerIsDeadAfterThreeSilentHeartbeatIntervals() {
        var registry = WorkerRegistry(heartbeatInterval: 1, liveness: 3)
        _ = registry.register(identity: "a", role: .rollout, host: "h", pid: 1, device: "cpu", now: 0)
        _ = registry.register(identity: "b", role: .reference, host: "g", pid: 2, device: "cpu", now: 0)
        let a = WorkerID(role: .rollout, index: 0), b = WorkerID(role: .reference, index: 0)
        registry.heard(a, now: 2.5)
        XCTAssertEqual(registry.expire(now: 3.0), [], "exactly three intervals is still alive")
        XCTAssertEqual(registry.expire(now: 3.01), [b])
        XCTAssertEqual(registry.expire(now: 5.4), [])
        registry.heard(a, now: 1.0)  // a message delayed in flight never moves the clock back
        XCTAssertEqual(registry.expire(now: 5.6), [a])
        XCTAssertTrue(registry.workers.isEmpty)
        registry.heard(a, now: 6)  // a dead worker is not brought back by a stray message
        XCTAssertTrue(registry.workers.isEmpty)
    }

    func testARegistrationFloodIsDroppedAndCounted() {
        var registry = WorkerRegistry(registrationsPerSecond: 10)
        var accepted = 0
        for i in 0..<100 {
            if case .rateLimited = registry.register(identity: "flood", role: .rollout, host: "h", pid: i, device: "cpu",
                                                      now: Double(i) * 0.001) { continue }
            accepted += 1
        }
        XCTAssertEqual(accepted, 10)
        XCTAssertEqual(registry.registrationsDropped, 90)
        XCTAssertEqual(registry.count(.rollout), 1, "each accepted one replaced the last: one identity, one worker")
        // the same host under fresh identities is limited too; a second later it may register again
        if case .rateLimited = registry.register(identity: "other", role: .reward, host: "h", pid: 1, device: "cpu", now: 0.5) {} else {
            XCTFail("the host is over its limit")
        }
        XCTAssertEqual(registry.register(identity: "other", role: .reward, host: "h", pid: 1, device: "cpu", now: 1.2),
                       .accepted(WorkerID(role: .reward, index: 0)))
    }
}
