import ClusterCore
import Synchronization
import Wire

/// A fault a worker process can be started with (the hidden `rlhf worker --fault`), so tests can check
/// what the learner does with a bad worker: quarantine it and go on with the others.
public enum WorkerFault: String, Sendable, CaseIterable {
    /// Every task is answered with a failure.
    case failTasks = "fail-tasks"
    /// Every weight stream is refused instead of installed.
    case refuseWeights = "refuse-weights"
    /// Every result has one row too few.
    case invalidResults = "invalid-results"
    /// A generator that, at its first weights manifest, stops reading and asks for the version's chunks
    /// again and again (`ZMQWorkerTransport.hoardWeights`): a keyed peer that never reads.
    case hoardWeights = "hoard-weights"
}

/// A worker transport that rewrites the role's answers as `fault` says, on their way to the learner,
/// after the first `after` answers (results, failures and installs) went out sound.
final class FaultyWorkerTransport: WorkerTransport {
    let base: any WorkerTransport
    let fault: WorkerFault
    private let soundLeft: Mutex<Int>

    init(base: any WorkerTransport, fault: WorkerFault, after: Int) {
        self.base = base
        self.fault = fault
        soundLeft = Mutex(after)
    }

    var id: WorkerID { base.id }
    var incoming: AsyncStream<LearnerMessage> { base.incoming }

    func send(_ message: WorkerMessage) throws(TransportError) {
        switch message {
        case .hello, .draining: try base.send(message)
        default:
            let sound = soundLeft.withLock { left in
                defer { left = max(0, left - 1) }
                return left > 0
            }
            try base.send(sound ? message : rewrite(message))
        }
    }

    /// `message` as the faulty worker sends it.
    func rewrite(_ message: WorkerMessage) -> WorkerMessage {
        switch (fault, message) {
        case let (.failTasks, .rollout(result)): return .failed(task: result.id, reason: "an injected fault (--fault fail-tasks)")
        case let (.failTasks, .scores(result)): return .failed(task: result.id, reason: "an injected fault (--fault fail-tasks)")
        case let (.failTasks, .reference(result)): return .failed(task: result.id, reason: "an injected fault (--fault fail-tasks)")
        case let (.refuseWeights, .installed(version)): return .refused(version: version, reason: "an injected fault (--fault refuse-weights)")
        case var (.invalidResults, .rollout(result)):
            result.responses.removeLast()
            return .rollout(result)
        case var (.invalidResults, .scores(result)):
            result.scores.removeLast()
            return .scores(result)
        case var (.invalidResults, .reference(result)):
            result.logProbs.removeLast()
            return .reference(result)
        default: return message
        }
    }
}
