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
    private var drain: (@Sendable () -> Bool)?, draining = false
    private var signals: OperatorSignals?

    /// Drains on SIGTERM once the role started, waiting at most `graceSeconds` for `stop`.
    init(graceSeconds: Double, logger: Logger) {
        signals = OperatorSignals([SIGTERM: { [unowned self] in
            let (drain, again) = lock.withLock { () -> ((@Sendable () -> Bool)?, Bool) in
                defer { draining = true }
                return (self.drain, draining)
            }
            guard let drain, !again else {
                logger.notice("SIGTERM: exiting now")
                exit(128 + SIGTERM)
            }
            guard drain() else {
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

    /// The learner welcomed the worker: from now on SIGTERM drains it through `drain`.
    func roleStarted(drain: @escaping @Sendable () -> Bool) { lock.withLock { self.drain = drain } }
}
