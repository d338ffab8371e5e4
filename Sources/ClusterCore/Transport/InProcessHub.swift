import Synchronization
import Wire

/// The in-process transport of the embedded default: each side's inbox is an `AsyncStream`, and a
/// message is handed over without being copied or encoded (a weights message shares its values array).
package final class InProcessHub: LearnerTransport {
    package let incoming: AsyncStream<LearnerEvent>
    private let learnerInbox: AsyncStream<LearnerEvent>.Continuation
    private let workerInboxes = Mutex<[WorkerID: AsyncStream<LearnerMessage>.Continuation]>([:])

    /// A hub with no workers yet.
    package init() {
        (incoming, learnerInbox) = AsyncStream.makeStream(of: LearnerEvent.self)
    }

    /// Connects worker `id` and returns its end. Connecting an id again replaces the old connection.
    package func connect(_ id: WorkerID) -> InProcessWorkerLink {
        let (stream, continuation) = AsyncStream.makeStream(of: LearnerMessage.self)
        let old = workerInboxes.withLock { inboxes in
            defer { inboxes[id] = continuation }
            return inboxes[id]
        }
        old?.finish()
        return InProcessWorkerLink(id: id, incoming: stream, learnerInbox: learnerInbox)
    }

    package func send(_ message: LearnerMessage, to worker: WorkerID) throws(TransportError) {
        guard let inbox = workerInboxes.withLock({ $0[worker] }) else { throw .closed("worker \(worker)") }
        if case .terminated = inbox.yield(message) { throw .closed("worker \(worker)") }
    }

    /// Closes every inbox: workers' loops end and the learner's stream finishes.
    package func close() {
        let inboxes = workerInboxes.withLock { inboxes in
            defer { inboxes = [:] }
            return inboxes
        }
        for inbox in inboxes.values { inbox.finish() }
        learnerInbox.finish()
    }
}

/// A worker's end of an `InProcessHub`.
package struct InProcessWorkerLink: WorkerTransport {
    package let id: WorkerID
    package let incoming: AsyncStream<LearnerMessage>
    fileprivate let learnerInbox: AsyncStream<LearnerEvent>.Continuation

    package func send(_ message: WorkerMessage) throws(TransportError) {
        if case .terminated = learnerInbox.yield(.message(Delivery(from: id, message: message))) { throw .closed("the learner") }
    }
}
