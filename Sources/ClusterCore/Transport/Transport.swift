import Wire

/// A message a worker sent, with who sent it.
package struct Delivery: Sendable, Equatable {
    /// The sender.
    package var from: WorkerID
    /// What it sent.
    package var message: WorkerMessage

    /// Creates a delivery.
    package init(from: WorkerID, message: WorkerMessage) { self.from = from; self.message = message }
}

/// What reaches the learner: a worker's message, news that a worker is gone (it said goodbye, or its
/// transport declared it dead), or the time (the transport's clock, in seconds, for lease deadlines).
package enum LearnerEvent: Sendable, Equatable {
    /// A message from a worker.
    case message(Delivery)
    /// The worker left; its leases go back to the queue.
    case left(WorkerID)
    /// The clock reads this many seconds.
    case tick(Double)
}

/// What can go wrong moving a message.
package enum TransportError: Error, Equatable, CustomStringConvertible {
    /// The other side has gone (its inbox is closed).
    case closed(String)

    package var description: String {
        switch self {
        case let .closed(who): "\(who) is no longer connected"
        }
    }
}

/// The learner's end of a transport: one inbox of every worker's messages, and a send to each worker.
/// The embedded default is `InProcessHub`; the cluster adds ZeroMQ behind the same two calls.
package protocol LearnerTransport: Sendable {
    /// Every worker message and transport event, in arrival order (one consumer: the learner).
    var incoming: AsyncStream<LearnerEvent> { get }
    /// Sends `message` to `worker`.
    func send(_ message: LearnerMessage, to worker: WorkerID) throws(TransportError)
    /// The transport's own counters for one iteration's metrics (`cluster/...`): workers registered, frames
    /// and peers refused, and the times to first work booked since the last call (which it takes, so each is
    /// reported once); empty in one process. The learner calls it once per iteration.
    func iterationCounters() -> [String: Double]
}

extension LearnerTransport {
    package func iterationCounters() -> [String: Double] { [:] }
}

/// A worker's end of a transport.
package protocol WorkerTransport: Sendable {
    /// The worker this end belongs to.
    var id: WorkerID { get }
    /// The learner's messages to this worker, in order (one consumer: the worker).
    var incoming: AsyncStream<LearnerMessage> { get }
    /// Sends `message` to the learner.
    func send(_ message: WorkerMessage) throws(TransportError)
}
