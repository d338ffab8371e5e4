import Foundation
import Launch
import Logging
import ModelIO
import PPO

/// What the operator asked a learner for, read at the end of each iteration: a checkpoint now
/// (SIGUSR1), or a checkpoint and a clean stop (SIGTERM, as Slurm sends before its time limit).
final class LearnerRequests: @unchecked Sendable {
    private let lock = NSLock()
    private var checkpoint = false, stop = false
    private var signals: OperatorSignals?

    /// Requests from SIGUSR1 and SIGTERM, each announced in `announce`'s line.
    init(announce: @escaping @Sendable (String) -> Void) {
        signals = OperatorSignals([
            SIGUSR1: { [unowned self] in
                lock.withLock { checkpoint = true }
                announce("SIGUSR1: a checkpoint after this iteration")
            },
            SIGTERM: { [unowned self] in
                lock.withLock { checkpoint = true; stop = true }
                announce("SIGTERM: a checkpoint after this iteration, then the run stops (continue it with --resume)")
            },
        ])
    }

    /// Takes the pending requests (a checkpoint, a stop), clearing the checkpoint one.
    func take() -> PPORunRequests {
        lock.withLock {
            defer { checkpoint = false }
            return PPORunRequests(checkpoint: checkpoint, stop: stop)
        }
    }
}

extension PPORunLoop {
    /// `run` as the commands run it: SIGUSR1 asks for a checkpoint, SIGTERM for a checkpoint and a stop,
    /// and a progress line (`label`) shows the iterations on a terminal.
    func runWithOperator(_ learner: PPOLearner, tokenizerFiles: HuggingFaceTokenizerFiles?, label: String) async throws {
        let logger = Logger(label: "rlhf.run")
        let requests = LearnerRequests { line in logger.notice("\(line)") }
        let progress = ProgressLine(label: label, total: config.iterations)
        defer { progress.finish() }
        try await run(learner, tokenizerFiles: tokenizerFiles, requests: requests.take, progress: progress.reporter)
    }
}
