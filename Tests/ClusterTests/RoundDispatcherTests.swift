import ClusterCore
import Wire
import XCTest

/// The learner's coordination without sockets or clocks: leases go to idle workers of the right role
/// and policy version, a task's score and reference requests follow its rollout, failures and dead
/// workers put work back, duplicates and strangers change nothing, and a round completes exactly once.
final class RoundDispatcherTests: XCTestCase {
    static let generators = [WorkerID(role: .rollout, index: 0), WorkerID(role: .rollout, index: 1)]
    static let scorer = WorkerID(role: .reward, index: 0)
    static let referee = WorkerID(role: .reference, index: 0)

    static func weights(_ version: Int) -> PolicyWeights {
        PolicyWeights(version: version, replaces: version > 0 ? version - 1 : nil,
                      tensors: [WeightTensor(name: "w", shape: [2])], values: WeightValues([1, 2]))
    }

    static func rollout(_ task: RolloutTask) -> Rollout {
        Rollout(id: task.id, policyVersion: task.policyVersion, responses: task.prompts.map { _ in [4, 5] },
                logProbs: task.prompts.map { _ in [-1, -2] }, stopped: task.prompts.map { _ in true })
    }

    /// Every message the actions send, by receiver.
    static func sent(_ actions: [RoundDispatcher.Action]) -> [WorkerID: [LearnerMessage]] {
        var out: [WorkerID: [LearnerMessage]] = [:]
        for case let .send(message, to) in actions { out[to, default: []].append(message) }
        return out
    }

    func connected() -> RoundDispatcher {
        var d = RoundDispatcher()
        for id in Self.generators + [Self.scorer, Self.referee] {
            XCTAssertEqual(d.receive(Delivery(from: id, message: .hello(id.role))), [], "no round yet: nothing to send")
        }
        return d
    }

    func testGeneratorsGetTheWeightsBeforeAnyTaskAndTasksGoInIdOrder() {
        var d = connected()
        let tasks = IterationLedgerTests.tasks(iteration: 0, count: 3)
        let begin = Self.sent(d.begin(iteration: 0, tasks: tasks, weights: Self.weights(0)))
        XCTAssertEqual(begin[Self.generators[0]], [.weights(Self.weights(0))])
        XCTAssertEqual(begin[Self.generators[1]], [.weights(Self.weights(0))])
        XCTAssertNil(begin[Self.scorer], "nothing to score before a rollout")
        // a generator that installed the version takes the first task; the other one is still installing
        XCTAssertEqual(Self.sent(d.receive(Delivery(from: Self.generators[1], message: .installed(version: 0)))),
                       [Self.generators[1]: [.rollout(tasks[0])]])
        XCTAssertEqual(Self.sent(d.receive(Delivery(from: Self.generators[0], message: .installed(version: 0)))),
                       [Self.generators[0]: [.rollout(tasks[1])]])
        XCTAssertEqual(d.queued, [.rollout(tasks[2])])
    }

    func testARolloutQueuesItsScoreAndReferenceAndTheRoundCompletesOnce() {
        var d = connected()
        let tasks = IterationLedgerTests.tasks(iteration: 0, count: 2)
        _ = d.begin(iteration: 0, tasks: tasks, weights: Self.weights(0))
        for g in Self.generators { _ = d.receive(Delivery(from: g, message: .installed(version: 0))) }
        let afterRollout = Self.sent(d.receive(Delivery(from: Self.generators[1], message: .rollout(Self.rollout(tasks[1])))))
        let request = SequenceRequest(id: tasks[1].id, queries: tasks[1].prompts, responses: [[4, 5], [4, 5]], temperature: 1)
        XCTAssertEqual(afterRollout[Self.scorer], [.score(request)])
        XCTAssertEqual(afterRollout[Self.referee], [.reference(request)])
        XCTAssertEqual(d.receive(Delivery(from: Self.scorer, message: .scores(ScoreResult(id: tasks[1].id, scores: [1, 2])))), [])
        XCTAssertEqual(d.receive(Delivery(from: Self.referee, message: .reference(ReferenceResult(id: tasks[1].id, logProbs: [[-1, -1], [-1, -1]])))), [])
        _ = d.receive(Delivery(from: Self.generators[0], message: .rollout(Self.rollout(tasks[0]))))
        // a duplicate rollout changes nothing and queues nothing
        XCTAssertEqual(d.receive(Delivery(from: Self.generators[1], message: .rollout(Self.rollout(tasks[0])))), [])
        XCTAssertEqual(d.ledger?.duplicates, 1)
        _ = d.receive(Delivery(from: Self.scorer, message: .scores(ScoreResult(id: tasks[0].id, scores: [0, 0]))))
        let last = d.receive(Delivery(from: Self.referee, message: .reference(ReferenceResult(id: tasks[0].id, logProbs: [[-1, -1], [-1, -1]]))))
        XCTAssertEqual(last, [.complete])
        XCTAssertEqual(d.batch?.map(\.task.id), tasks.map(\.id), "task order, whatever the arrival order")
        XCTAssertEqual(d.receive(Delivery(from: Self.scorer, message: .scores(ScoreResult(id: tasks[0].id, scores: [0, 0])))), [],
                       "complete once")
        XCTAssertEqual(d.leasesIssued, 6)
    }

    /// A draining worker finishes its lease, is sent `stop` and forgotten; its share of the work goes
    /// to the others, and one that holds nothing is stopped at once. The learner asks with `drain`.
    func testADrainingWorkerFinishesItsLeaseThenIsStopped() {
        var d = connected()
        let tasks = IterationLedgerTests.tasks(iteration: 0, count: 3)
        _ = d.begin(iteration: 0, tasks: tasks, weights: Self.weights(0))
        let (g0, g1) = (Self.generators[0], Self.generators[1])
        XCTAssertEqual(d.drain(g0), [.send(.drain, to: g0)])
        _ = d.receive(Delivery(from: g0, message: .installed(version: 0)))  // leased tasks[0]
        XCTAssertEqual(d.workers[g0]?.lease?.task, tasks[0].id)
        XCTAssertEqual(d.receive(Delivery(from: g0, message: .draining)), [], "it holds a lease: not stopped yet")
        _ = d.receive(Delivery(from: g1, message: .installed(version: 0)))  // leased tasks[1]
        let finished = Self.sent(d.receive(Delivery(from: g0, message: .rollout(Self.rollout(tasks[0])))))
        XCTAssertEqual(finished[g0], [.stop], "its lease answered: stopped, and no new task")
        XCTAssertNil(d.workers[g0])
        XCTAssertEqual(d.ledger?.entry(tasks[0].id)?.rollout, Self.rollout(tasks[0]), "what it finished counts")
        _ = d.receive(Delivery(from: g1, message: .rollout(Self.rollout(tasks[1]))))
        XCTAssertEqual(d.workers[g1]?.lease?.task, tasks[2].id, "the rest goes to the worker still there")
        // an idle worker that drains is stopped at once; a stranger's draining changes nothing
        var idle = connected()
        XCTAssertEqual(idle.receive(Delivery(from: Self.scorer, message: .draining)), [.send(.stop, to: Self.scorer)])
        XCTAssertNil(idle.workers[Self.scorer])
        XCTAssertEqual(d.receive(Delivery(from: WorkerID(role: .reward, index: 9), message: .draining)), [])
        XCTAssertEqual(d.drain(WorkerID(role: .reward, index: 9)), [])
    }

    /// `actions` without their log lines (a test without workers of some role hears it waited for).
    static func withoutLogs(_ actions: [RoundDispatcher.Action]) -> [RoundDispatcher.Action] {
        actions.filter { if case .log = $0 { false } else { true } }
    }

    /// Whether `actions` log a line containing `text`.
    static func logs(_ actions: [RoundDispatcher.Action], _ text: String) -> Bool {
        actions.contains { if case let .log(line) = $0 { line.contains(text) } else { false } }
    }

    func testAFailedTaskIsLeasedAgainAndAWorkerThatFailsInARowIsQuarantined() {
        var d = RoundDispatcher(quarantineAfter: 2)
        let (g, other) = (Self.generators[0], Self.generators[1])
        _ = d.receive(Delivery(from: g, message: .hello(.rollout)))
        let tasks = IterationLedgerTests.tasks(iteration: 4, count: 1)
        _ = d.begin(iteration: 4, tasks: tasks.map { var t = $0; t.policyVersion = 4; return t }, weights: Self.weights(4))
        let first = d.receive(Delivery(from: g, message: .installed(version: 4)))
        XCTAssertEqual(first.count, 1)
        let again = d.receive(Delivery(from: g, message: .failed(task: tasks[0].id, reason: "out of memory")))
        XCTAssertEqual(Self.sent(again)[g]?.count, 1, "leased again")
        XCTAssertEqual(d.requeued, 1)
        let second = d.receive(Delivery(from: g, message: .failed(task: tasks[0].id, reason: "out of memory")))
        XCTAssertTrue(Self.logs(second, "quarantined rollout#0: 2 faults in a row; last: failed task 4.0: out of memory"), "\(second)")
        XCTAssertTrue(Self.sent(second).isEmpty, "a quarantined worker is leased nothing")
        XCTAssertEqual(d.quarantined.map(\.0), [g])
        XCTAssertEqual(d.quarantinedCount, 1)
        XCTAssertFalse(second.contains { if case .abort = $0 { true } else { false } }, "one bad worker does not end the round")
        // another generator takes the task
        _ = d.receive(Delivery(from: other, message: .hello(.rollout)))
        XCTAssertEqual(Self.sent(d.receive(Delivery(from: other, message: .installed(version: 4))))[other], [.rollout(tasks.map { var t = $0; t.policyVersion = 4; return t }[0])])
    }

    func testASuccessStartsTheFaultCountOver() {
        var d = RoundDispatcher(quarantineAfter: 2)
        let g = Self.generators[0]
        _ = d.receive(Delivery(from: g, message: .hello(.rollout)))
        let tasks = IterationLedgerTests.tasks(iteration: 0, count: 2)
        _ = d.begin(iteration: 0, tasks: tasks, weights: Self.weights(0))
        _ = d.receive(Delivery(from: g, message: .installed(version: 0)))
        _ = d.receive(Delivery(from: g, message: .failed(task: tasks[0].id, reason: "flaky")))
        _ = d.receive(Delivery(from: g, message: .rollout(Self.rollout(tasks[0]))))
        _ = d.receive(Delivery(from: g, message: .failed(task: tasks[1].id, reason: "flaky")))
        XCTAssertEqual(d.quarantined.count, 0, "one fault since the last success")
        XCTAssertEqual(d.workers[g]?.lease, .rollout(tasks[1]))
    }

    func testAnInvalidResultCountsAsAFault() {
        var d = RoundDispatcher(quarantineAfter: 1)
        let tasks = IterationLedgerTests.tasks(iteration: 0, count: 1)
        for id in [Self.scorer, Self.generators[0]] { _ = d.receive(Delivery(from: id, message: .hello(id.role))) }
        _ = d.begin(iteration: 0, tasks: tasks, weights: Self.weights(0))
        _ = d.receive(Delivery(from: Self.generators[0], message: .installed(version: 0)))
        _ = d.receive(Delivery(from: Self.generators[0], message: .rollout(Self.rollout(tasks[0]))))
        let bad = d.receive(Delivery(from: Self.scorer, message: .scores(ScoreResult(id: tasks[0].id, scores: [1]))))
        XCTAssertTrue(Self.logs(bad, "quarantined reward#0"), "\(bad)")
        XCTAssertEqual(d.queued.filter { $0.role == .reward }.count, 1, "the score request waits for another scorer")
    }

    func testADeadWorkersLeaseGoesToAnotherWorker() {
        var d = connected()
        let tasks = IterationLedgerTests.tasks(iteration: 0, count: 1)
        _ = d.begin(iteration: 0, tasks: tasks, weights: Self.weights(0))
        _ = d.receive(Delivery(from: Self.generators[0], message: .installed(version: 0)))
        XCTAssertEqual(d.workers[Self.generators[0]]?.lease, .rollout(tasks[0]))
        _ = d.receive(Delivery(from: Self.generators[1], message: .installed(version: 0)))
        XCTAssertEqual(Self.sent(d.remove(Self.generators[0])), [Self.generators[1]: [.rollout(tasks[0])]])
        // the dead worker's late answer still counts once; the live worker's copy is then a duplicate
        XCTAssertEqual(d.receive(Delivery(from: Self.generators[0], message: .rollout(Self.rollout(tasks[0])))), [])
        XCTAssertEqual(d.strangers, 1, "a removed worker is a stranger until it says hello again")
        _ = d.receive(Delivery(from: Self.generators[1], message: .rollout(Self.rollout(tasks[0]))))
        XCTAssertNotNil(d.ledger?.entry(tasks[0].id)?.rollout)
    }

    func testAnInvalidRolloutIsLeasedAgain() {
        var d = connected()
        let tasks = IterationLedgerTests.tasks(iteration: 0, count: 1)
        _ = d.begin(iteration: 0, tasks: tasks, weights: Self.weights(0))
        _ = d.receive(Delivery(from: Self.generators[0], message: .installed(version: 0)))
        var bad = Self.rollout(tasks[0])
        bad.logProbs = [[-1], [-1]]
        let actions = d.receive(Delivery(from: Self.generators[0], message: .rollout(bad)))
        XCTAssertEqual(Self.sent(actions)[Self.generators[0]], [.rollout(tasks[0])])
        XCTAssertEqual(d.ledger?.invalid, 1)
    }

    func testATaskWaitsForAGeneratorOnItsVersionAndRefusedWeightsAreSentAgainThenQuarantined() {
        var d = RoundDispatcher(quarantineAfter: 2)
        let g = Self.generators[0]
        _ = d.receive(Delivery(from: g, message: .hello(.rollout)))
        let tasks = IterationLedgerTests.tasks(iteration: 1, count: 1)
        _ = d.begin(iteration: 1, tasks: tasks, weights: Self.weights(1))
        XCTAssertEqual(d.receive(Delivery(from: g, message: .installed(version: 0))), [], "an old version takes no task of v1")
        XCTAssertEqual(Self.sent(d.receive(Delivery(from: g, message: .refused(version: 1, reason: "checksum")))),
                       [g: [.weights(Self.weights(1))]])
        let second = d.receive(Delivery(from: g, message: .refused(version: 1, reason: "checksum")))
        XCTAssertTrue(Self.logs(second, "refused policy weights v1: checksum"), "\(second)")
        XCTAssertTrue(Self.sent(second).isEmpty, "no more weights for a quarantined worker")
    }

    /// A lease held overdue by a stuck worker A, issued again to B, who fails it: the piece goes back to
    /// the queue (before, A's overdue lease kept it out and the round never ended).
    func testAFailedReissueGoesBackToTheQueueWhileTheFirstHolderIsOverdue() {
        var d = RoundDispatcher(minimumLeaseSeconds: 30)
        let (stuck, b) = (Self.generators[0], Self.generators[1])
        let tasks = IterationLedgerTests.tasks(iteration: 0, count: 1)
        _ = d.receive(Delivery(from: stuck, message: .hello(.rollout)))
        _ = d.begin(iteration: 0, tasks: tasks, weights: Self.weights(0))
        _ = d.receive(Delivery(from: stuck, message: .installed(version: 0)))
        _ = d.receive(Delivery(from: b, message: .hello(.rollout)))
        _ = d.receive(Delivery(from: b, message: .installed(version: 0)))
        _ = d.advance(to: 1)
        XCTAssertEqual(Self.sent(d.advance(to: 31)), [b: [.rollout(tasks[0])]], "overdue: issued to B")
        let failed = d.receive(Delivery(from: b, message: .failed(task: tasks[0].id, reason: "out of memory")))
        XCTAssertEqual(Self.sent(failed), [b: [.rollout(tasks[0])]], "back in the queue, and B takes it again")
        _ = d.receive(Delivery(from: b, message: .rollout(Self.rollout(tasks[0]))))
        XCTAssertNotNil(d.ledger?.entry(tasks[0].id)?.rollout)
    }

    /// Queued work with no usable worker of its role: a line once a minute, then after the role timeout
    /// the round ends, naming the role.
    func testARoleWithoutAUsableWorkerIsLoggedOnceAMinuteThenEndsTheRound() {
        var d = RoundDispatcher(quarantineAfter: 1, roleTimeout: 150, waitingLogInterval: 60)
        let g = Self.generators[0]
        let tasks = IterationLedgerTests.tasks(iteration: 0, count: 1)
        for id in [g, Self.scorer, Self.referee] { _ = d.receive(Delivery(from: id, message: .hello(id.role))) }
        _ = d.begin(iteration: 0, tasks: tasks, weights: Self.weights(0))
        _ = d.receive(Delivery(from: g, message: .installed(version: 0)))
        _ = d.receive(Delivery(from: g, message: .rollout(Self.rollout(tasks[0]))))  // the referee holds its request
        _ = d.receive(Delivery(from: Self.scorer, message: .failed(task: tasks[0].id, reason: "broken")))
        var lines: [String] = [], end: String?
        for t in stride(from: 1.0, through: 200, by: 1) {
            for action in d.advance(to: t) {
                if case let .log(line) = action { lines.append(line) }
                if case let .abort(role, why) = action, end == nil { end = "\(role) at \(t): \(why)" }
            }
        }
        XCTAssertEqual(lines.count, 3, "at 1, 61 and 121 s: \(lines)")
        XCTAssertTrue(lines.first?.contains("waiting for a reward worker: 1 registered, 0 usable (reward#0 quarantined") ?? false, "\(lines)")
        XCTAssertTrue(end?.hasPrefix("reward at 151.0: no usable reward worker for 150 s") ?? false, end ?? "no end")
        XCTAssertEqual(d.waitedSeconds, 150, accuracy: 1, "from 1 s to the end at 151 s")
    }

    func testStrangersAreIgnoredAndCounted() {
        var d = RoundDispatcher()
        let tasks = IterationLedgerTests.tasks(iteration: 0, count: 1)
        _ = d.begin(iteration: 0, tasks: tasks, weights: Self.weights(0))
        XCTAssertEqual(d.receive(Delivery(from: Self.scorer, message: .scores(ScoreResult(id: tasks[0].id, scores: [1, 1])))), [])
        XCTAssertEqual(d.strangers, 1)
        XCTAssertNil(d.ledger?.entry(tasks[0].id)?.scores)
    }

    func testALateLeaseIsIssuedAgainAndTheFirstAnswerCounts() {
        var d = RoundDispatcher(minimumLeaseSeconds: 30)
        let (slow, fast) = (Self.generators[0], Self.generators[1])
        _ = d.receive(Delivery(from: slow, message: .hello(.rollout)))
        let tasks = IterationLedgerTests.tasks(iteration: 0, count: 2)
        _ = d.begin(iteration: 0, tasks: tasks, weights: Self.weights(0))
        _ = d.receive(Delivery(from: slow, message: .installed(version: 0)))
        XCTAssertEqual(d.workers[slow]?.lease, .rollout(tasks[0]))
        _ = d.advance(to: 1)
        _ = d.receive(Delivery(from: fast, message: .hello(.rollout)))
        _ = d.receive(Delivery(from: fast, message: .installed(version: 0)))
        XCTAssertEqual(d.workers[fast]?.lease, .rollout(tasks[1]))
        _ = d.advance(to: 2)
        _ = d.receive(Delivery(from: fast, message: .rollout(Self.rollout(tasks[1]))))  // took 1 s: median 1 s
        XCTAssertEqual(d.leaseDeadline(.rollout), 30, "the minimum holds while 10 × median is below it")
        XCTAssertEqual(Self.withoutLogs(d.advance(to: 29.9)), [], "not late yet: leased at 0, deadline 30 s")
        XCTAssertEqual(Self.sent(d.advance(to: 30.5)), [fast: [.rollout(tasks[0])]], "late: the idle worker gets a copy")
        XCTAssertEqual(d.overdueReissued, 1)
        XCTAssertEqual(Self.withoutLogs(d.advance(to: 100)), [], "issued again once, not at every tick")
        _ = d.receive(Delivery(from: fast, message: .rollout(Self.rollout(tasks[0]))))
        _ = d.receive(Delivery(from: slow, message: .rollout(Self.rollout(tasks[0]))))
        XCTAssertEqual(d.ledger?.duplicates, 1, "the slow answer is a duplicate")
        XCTAssertNil(d.workers[slow]?.lease, "and frees the slow worker")
    }
}

/// Churn: a worker that leaves while it holds a lease another worker already answered, or a lease of a
/// round that has ended, puts nothing back in the queue: no task is leased twice for it.
final class RoundDispatcherChurnTests: XCTestCase {
    typealias T = RoundDispatcherTests

    /// A holds task 0 overdue, B answers the copy; A then leaves: nothing is queued or sent again.
    func testALeaverHoldingAnAnsweredOverdueLeaseQueuesNothing() {
        var d = RoundDispatcher(minimumLeaseSeconds: 30)
        let (stuck, b) = (T.generators[0], T.generators[1])
        let tasks = IterationLedgerTests.tasks(iteration: 0, count: 1)
        _ = d.receive(Delivery(from: stuck, message: .hello(.rollout)))
        _ = d.begin(iteration: 0, tasks: tasks, weights: T.weights(0))
        _ = d.receive(Delivery(from: stuck, message: .installed(version: 0)))
        _ = d.receive(Delivery(from: b, message: .hello(.rollout)))
        _ = d.receive(Delivery(from: b, message: .installed(version: 0)))
        _ = d.advance(to: 1)
        XCTAssertEqual(T.sent(d.advance(to: 31)), [b: [.rollout(tasks[0])]], "overdue: issued to B")
        _ = d.receive(Delivery(from: b, message: .rollout(T.rollout(tasks[0]))))
        let leases = d.leasesIssued
        XCTAssertEqual(T.sent(d.remove(stuck)), [:], "the rollout is in the ledger: nobody gets it again")
        XCTAssertFalse(d.queued.contains { if case .rollout = $0 { true } else { false } }, "no rollout queued again: \(d.queued)")
        XCTAssertEqual(d.leasesIssued, leases)
    }

    /// A holds a lease of round 0 overdue; B finishes round 0 and round 1 begins; A leaves: only round 1's
    /// work is leased, and round 1 completes once.
    func testALeaverHoldingALeaseOfAnEndedRoundQueuesNothing() {
        var d = RoundDispatcher(minimumLeaseSeconds: 30)
        let (stuck, b) = (T.generators[0], T.generators[1])
        let round0 = IterationLedgerTests.tasks(iteration: 0, count: 1)
        for id in [stuck, T.scorer, T.referee] { _ = d.receive(Delivery(from: id, message: .hello(id.role))) }
        _ = d.begin(iteration: 0, tasks: round0, weights: T.weights(0))
        _ = d.receive(Delivery(from: stuck, message: .installed(version: 0)))
        _ = d.receive(Delivery(from: b, message: .hello(.rollout)))
        _ = d.receive(Delivery(from: b, message: .installed(version: 0)))
        _ = d.advance(to: 1)
        _ = d.advance(to: 31)
        var actions = d.receive(Delivery(from: b, message: .rollout(T.rollout(round0[0]))))
        let request = SequenceRequest(id: round0[0].id, queries: round0[0].prompts, responses: [[4, 5], [4, 5]], temperature: 1)
        actions += d.receive(Delivery(from: T.scorer, message: .scores(ScoreResult(id: request.id, scores: [1, 1]))))
        actions += d.receive(Delivery(from: T.referee, message: .reference(ReferenceResult(id: request.id, logProbs: [[-1, -1], [-1, -1]]))))
        XCTAssertTrue(actions.contains(.complete), "\(actions)")
        let round1 = IterationLedgerTests.tasks(iteration: 1, count: 1)
        let begin = T.sent(d.begin(iteration: 1, tasks: round1, weights: T.weights(1)))
        XCTAssertEqual(begin[b], [.weights(T.weights(1))])
        XCTAssertEqual(d.workers[stuck]?.lease, .rollout(round0[0]), "A still holds round 0's lease")
        XCTAssertEqual(T.sent(d.remove(stuck)), [:], "round 0's task is not leased in round 1")
        XCTAssertEqual(d.queued, [.rollout(round1[0])], "only round 1's work is queued")
        XCTAssertEqual(T.sent(d.receive(Delivery(from: b, message: .installed(version: 1)))), [b: [.rollout(round1[0])]])
    }
}
