import ClusterCore
import Dispatch
import Logging
import Synchronization
import Wire

/// Why a round stopped without its batch.
package struct RoundError: Error, Equatable, CustomStringConvertible {
    /// What went wrong, with its details: package-internal, so that cases can be added without breaking users.
    package enum Code: Equatable, Sendable {
        /// The learner's own bookkeeping failed (a round that was never started).
        case aborted(String)
        /// A role the round needs has had no usable worker for the role timeout.
        case roleLost(role: WorkerRole, String)
        /// The transport closed before the round completed.
        case transportClosed(iteration: Int)
    }

    /// What went wrong.
    package let code: Code

    /// The error of `code`.
    package init(_ code: Code) { self.code = code }

    /// The learner's own bookkeeping failed.
    package static func aborted(_ v0: String) -> RoundError { RoundError(.aborted(v0)) }
    /// The transport closed before the round completed.
    package static func transportClosed(iteration: Int) -> RoundError { RoundError(.transportClosed(iteration: iteration)) }

    package var description: String {
        switch code {
        case let .aborted(why): "the round stopped: \(why)"
        case let .roleLost(_, why): "the run stopped: \(why)"
        case let .transportClosed(iteration): "the workers' transport closed during round \(iteration)"
        }
    }
}

/// A completed round: its records in task order and what coordinating it cost.
package struct RoundOutcome: Sendable {
    /// Every task's rollout, scores and reference log-probs, in task-id order.
    package var entries: [IterationLedger.Entry]
    /// Seconds from publishing the weights until the last generator that needed them installed them.
    package var syncSeconds: Double
    /// Seconds the learner spent in the dispatcher and in sending (its coordination overhead).
    package var coordinationSeconds: Double
    /// Wall seconds of the whole round.
    package var seconds: Double
    /// Results the ledger dropped in this round, by reason (`duplicate`, `late`, `unknown`, `invalid`,
    /// `other_incarnation`, `wrong_version`).
    package var dropped: [String: Int]
    /// Seconds some role the round needed had no usable worker.
    package var waitedSeconds: Double
    /// Workers quarantined now, and over the run.
    package var quarantinedNow: Int, quarantinedTotal: Int
    /// Leases the round issued, and pieces of it re-queued after a failure or an invalid result.
    package var leasesIssued: Int, requeued: Int
    /// The generators by how far behind the round's policy version they were when it began (a cluster's
    /// accounting: nil in one process, where the count of generators is the run's own choice).
    package var versionLag: [String: Int]?
}

/// The thin actor that drives a `RoundDispatcher` over a `LearnerTransport`: it hands each worker
/// message to the dispatcher and sends what the dispatcher says, until the round is complete.
package actor RoundRunner {
    private var dispatcher: RoundDispatcher
    private let transport: any LearnerTransport
    private var deliveries: AsyncStream<LearnerEvent>.AsyncIterator
    private let logger = Logger(label: "rlhf.learner")
    private let published = Mutex(RoundView())

    /// The dispatcher as a monitor sees it, as of the last event handled; read from any thread.
    package nonisolated var view: RoundView { published.withLock { $0 } }

    /// Publishes the dispatcher's view.
    private func publish(running: Bool) {
        let view = dispatcher.view(running: running)
        published.withLock { $0 = view }
    }

    /// Whether rounds report per-worker accounting (`versionLag`): a cluster's learner, whose metrics
    /// keep them under `cluster/`.
    private let accountsWorkers: Bool

    /// A runner on `transport`; a needed role without a usable worker for `roleTimeout` seconds ends the
    /// run; `accountsWorkers`: rounds report the generators' version lag.
    package init(transport: any LearnerTransport, roleTimeout: Double = 600, accountsWorkers: Bool = false) {
        self.transport = transport
        self.accountsWorkers = accountsWorkers
        dispatcher = RoundDispatcher(roleTimeout: roleTimeout)
        deliveries = transport.incoming.makeAsyncIterator()
    }

    /// The dispatcher's lifetime counters: leases issued and pieces re-queued.
    package var counters: (leasesIssued: Int, requeued: Int) { (dispatcher.leasesIssued, dispatcher.requeued) }

    /// The transport's counters for this iteration (`cluster/workers/...`, `cluster/refused/...`, first-work times).
    package func transportCounters() -> [String: Double] { transport.iterationCounters() }

    /// Workers connected now, by role.
    package func workerCount(_ role: WorkerRole) -> Int { dispatcher.workers.values.filter { $0.role == role }.count }

    /// Runs the round of `tasks` (ids of `iteration`) with policy `weights` to completion.
    package func run(iteration: Int, tasks: [RolloutTask], weights: PolicyWeights) async throws(RoundError) -> RoundOutcome {
        let start = DispatchTime.now().uptimeNanoseconds
        let (leases0, requeued0) = counters
        let waited0 = dispatcher.waitedSeconds
        var coordination: UInt64 = 0, lastInstall = start
        var pendingInstalls = 0
        func timed(_ body: () throws(RoundError) -> Bool) throws(RoundError) -> Bool {
            let t0 = DispatchTime.now().uptimeNanoseconds
            defer { coordination += DispatchTime.now().uptimeNanoseconds - t0 }
            return try body()
        }
        var done = try timed { () throws(RoundError) in
            let actions = dispatcher.begin(iteration: iteration, tasks: tasks, weights: weights)
            pendingInstalls = actions.filter { if case .send(.weights, _) = $0 { true } else { false } }.count
            return try perform(actions)
        }
        publish(running: true)
        while !done {
            defer { publish(running: !done) }
            var iterator = deliveries  // one round runs at a time: the copy goes back before the next await
            let next = await iterator.next(isolation: self)
            deliveries = iterator
            guard let event = next else { throw .transportClosed(iteration: iteration) }
            switch event {
            case let .message(delivery):
                if case .installed = delivery.message, pendingInstalls > 0 {
                    pendingInstalls -= 1
                    lastInstall = DispatchTime.now().uptimeNanoseconds
                }
                done = try timed { () throws(RoundError) in try perform(dispatcher.receive(delivery)) }
            case let .left(worker):
                done = try timed { () throws(RoundError) in try perform(dispatcher.remove(worker)) }
            case let .tick(now):
                done = try timed { () throws(RoundError) in try perform(dispatcher.advance(to: now)) }
            }
        }
        publish(running: false)
        let ledger = dispatcher.ledger
        guard let entries = dispatcher.batch else { throw .aborted("round \(iteration) completed without a batch") }
        return RoundOutcome(entries: entries, syncSeconds: Double(lastInstall - start) / 1e9,
                            coordinationSeconds: Double(coordination) / 1e9,
                            seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9,
                            dropped: ledger?.dropped ?? [:],
                            waitedSeconds: dispatcher.waitedSeconds - waited0,
                            quarantinedNow: dispatcher.quarantined.count, quarantinedTotal: dispatcher.quarantinedCount,
                            leasesIssued: dispatcher.leasesIssued - leases0, requeued: dispatcher.requeued - requeued0,
                            versionLag: accountsWorkers ? dispatcher.lagAtBegin : nil)
    }

    /// Sends `stop` to every connected worker.
    package func stopWorkers() {
        for id in dispatcher.workers.keys { try? transport.send(.stop, to: id) }
    }

    /// Carries out `actions`; true once the round is complete.
    private func perform(_ actions: [RoundDispatcher.Action]) throws(RoundError) -> Bool {
        var complete = false
        for action in actions {
            switch action {
            case let .send(message, worker):
                do { try transport.send(message, to: worker) } catch {
                    complete = try perform(dispatcher.remove(worker)) || complete
                }
            case .complete: complete = true
            case let .abort(role, why): throw RoundError(.roleLost(role: role, why))
            case let .log(line): logger.warning("\(line)")
            }
        }
        return complete
    }
}
