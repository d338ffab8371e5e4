import Foundation
import Launch
import Logging
import Wire

/// SIGTERM drains a worker process instead of killing it: the worker tells the learner it takes no new
/// work (`draining`), finishes and answers what it holds, and exits when the learner sends `stop`. If
/// no `stop` comes within the grace period (the learner is gone), or a second SIGTERM arrives, it exits
/// at once. Before the learner welcomed it there is nothing to drain: it exits.
final class WorkerDrain: @unchecked Sendable {
    private let lock = NSLock()
    private var welcomed = false, draining = false
    private var signals: OperatorSignals?

    /// Drains over `send` (the worker transport's) on SIGTERM, waiting at most `graceSeconds` for `stop`.
    init(graceSeconds: Double, logger: Logger, send: @escaping @Sendable (WorkerMessage) -> Bool) {
        signals = OperatorSignals([SIGTERM: { [unowned self] in
            let (welcomed, again) = lock.withLock { () -> (Bool, Bool) in
                defer { draining = true }
                return (self.welcomed, draining)
            }
            guard welcomed, !again else {
                logger.notice("SIGTERM: exiting now")
                exit(128 + SIGTERM)
            }
            guard send(.draining) else {
                logger.notice("SIGTERM: the learner cannot be told; exiting now")
                exit(128 + SIGTERM)
            }
            logger.notice("SIGTERM: draining; finishing the work this worker holds, then the learner stops it (a second SIGTERM exits now)")
            DispatchQueue.global().asyncAfter(deadline: .now() + graceSeconds) {
                logger.error("the learner did not stop this draining worker within \(Int(graceSeconds)) s; exiting")
                exit(1)
            }
        }])
    }

    /// The learner welcomed the worker: from now on SIGTERM drains it.
    func roleStarted() { lock.withLock { welcomed = true } }
}
