@testable import ClusterCore
import Wire
import XCTest

/// The dispatcher's queue: per role in task-id order, each key at most once, removal lazy but exact,
/// and a worker that cannot take the first item gets the first one it can.
final class WorkQueueTests: XCTestCase {
    static func task(_ index: Int, version: Int = 0) -> RolloutTask {
        var t = IterationLedgerTests.tasks(iteration: 1, count: 1)[0]
        t.id = TaskID(iteration: 1, index: index)
        t.policyVersion = version
        return t
    }

    static func score(_ index: Int) -> WorkItem {
        .score(SequenceRequest(id: TaskID(iteration: 1, index: index), queries: [[1]], responses: [[2]], temperature: 1))
    }

    func testOrderOncePerKeyAndLazyRemoval() {
        var q = WorkQueue()
        for i in [5, 1, 3, 1] { q.insert(.rollout(Self.task(i))) }
        q.insert(Self.score(2))
        XCTAssertEqual(q.items.map(\.task.index), [1, 2, 3, 5], "a key is queued once; (task, role) order")
        q.remove(WorkItem.rollout(Self.task(1)).key)
        XCTAssertFalse(q.contains(WorkItem.rollout(Self.task(1)).key))
        q.insert(.rollout(Self.task(1)))  // queued again after removal: once
        XCTAssertEqual(q.popFirst(.rollout) { _ in true }, .rollout(Self.task(1)))
        XCTAssertEqual(q.popFirst(.rollout) { _ in true }, .rollout(Self.task(3)), "the removed copy does not come back")
        XCTAssertEqual(q.popFirst(.reference) { _ in true }, nil)
        XCTAssertEqual(q.popFirst(.reward) { _ in true }, Self.score(2))
        XCTAssertEqual(q.items, [.rollout(Self.task(5))])
    }

    func testAWorkerThatCannotTakeTheFirstGetsTheFirstItCan() {
        var q = WorkQueue()
        for (i, v) in [(0, 1), (1, 2), (2, 1), (3, 2)] { q.insert(.rollout(Self.task(i, version: v))) }
        let onTwo: (WorkItem) -> Bool = { if case let .rollout(t) = $0 { t.policyVersion == 2 } else { false } }
        XCTAssertEqual(q.popFirst(.rollout, where: onTwo)?.task.index, 1)
        XCTAssertEqual(q.popFirst(.rollout, where: onTwo)?.task.index, 3)
        XCTAssertNil(q.popFirst(.rollout, where: onTwo))
        XCTAssertEqual(q.items.map(\.task.index), [0, 2])
    }

    /// The counts per role follow every insert, removal and pop (a monitor's view reads them after every
    /// event instead of sorting the queue).
    func testCountsPerRoleFollowTheQueue() {
        var q = WorkQueue()
        for i in [5, 1, 3, 1] { q.insert(.rollout(Self.task(i))) }
        q.insert(Self.score(2))
        XCTAssertEqual(WorkerRole.allCases.map { q.count($0) }, [3, 1, 0])
        q.remove(WorkItem.rollout(Self.task(1)).key)
        q.remove(WorkItem.rollout(Self.task(1)).key)
        XCTAssertEqual(q.count(.rollout), 2, "a key removed twice counts once")
        q.insert(.rollout(Self.task(1)))
        _ = q.popFirst(.rollout) { _ in true }
        _ = q.popFirst(.reward) { _ in true }
        XCTAssertEqual(WorkerRole.allCases.map { q.count($0) }, [2, 0, 0])
        let onTwo: (WorkItem) -> Bool = { if case let .rollout(t) = $0 { t.policyVersion == 2 } else { false } }
        q.insert(.rollout(Self.task(9, version: 2)))
        _ = q.popFirst(.rollout, where: onTwo)
        XCTAssertEqual(q.count(.rollout), 2, "the rare path counts too")
        XCTAssertEqual(q.count(.rollout), q.items.filter { $0.role == .rollout }.count)
    }
}
