import ClusterCore
import Synchronization
import Wire

/// The learner's transport as the churn bench watches it: a `LearnerTransport` over another that
/// counts every lease the learner sends to a worker it knows has left. The learner knows a worker has
/// left once it has taken from its inbox the worker's `draining` (it drains: nothing more is leased to
/// it) or its `left` event (a disconnect, missed heartbeats, a restart), or once it has sent it `stop`.
/// Events are passed on one at a time as the learner asks for them, never read ahead, so a worker
/// counts as departed exactly from the moment the learner's actor holds the news.
package final class DepartureAudit: LearnerTransport, @unchecked Sendable {
    /// What the audit saw.
    package struct Counts: Sendable, Equatable {
        /// Workers the learner knew had left (drained, gone or stopped).
        package var departed = 0
        /// Leases sent to such a worker: the learner's bug, 0 when it is right.
        package var leasesToDeparted = 0
        /// Leases sent in all.
        package var leases = 0
    }

    package let incoming: AsyncStream<LearnerEvent>
    private let base: any LearnerTransport
    private let book = Book()

    /// Audits `base`.
    package init(_ base: any LearnerTransport) {
        self.base = base
        let source = UncheckedIterator(base.incoming.makeAsyncIterator())
        let book = book
        incoming = AsyncStream(unfolding: {
            let event = await source.next()
            switch event {
            case let .left(worker)?: book.depart(worker)
            case let .message(delivery)? where delivery.message == .draining: book.depart(delivery.from)
            default: break
            }
            return event
        })
    }

    /// What the audit saw so far.
    package var counts: Counts { book.state.withLock { $0.counts } }

    package func send(_ message: LearnerMessage, to worker: WorkerID) throws(TransportError) {
        switch message {
        case .rollout, .score, .reference:
            book.state.withLock { state in
                state.counts.leases += 1
                if state.departed.contains(worker) { state.counts.leasesToDeparted += 1 }
            }
        case .stop: book.depart(worker)
        default: break
        }
        try base.send(message, to: worker)
    }

    package func iterationCounters() -> [String: Double] { base.iterationCounters() }
}

/// The workers known to have left, and the counts.
private final class Book: Sendable {
    let state = Mutex<(departed: Set<WorkerID>, counts: DepartureAudit.Counts)>(([], DepartureAudit.Counts()))

    func depart(_ worker: WorkerID) {
        state.withLock { if $0.departed.insert(worker).inserted { $0.counts.departed += 1 } }
    }
}

/// An inbox iterator handed to `AsyncStream(unfolding:)`: it has one consumer (the learner's actor),
/// which never asks for the next event before it has the last.
private final class UncheckedIterator: @unchecked Sendable {
    private var iterator: AsyncStream<LearnerEvent>.AsyncIterator
    init(_ iterator: AsyncStream<LearnerEvent>.AsyncIterator) { self.iterator = iterator }
    func next() async -> LearnerEvent? { await iterator.next() }
}
