import Dispatch
import Foundation

/// The launched processes: output forwarded line by line with a prefix, and stopped together.
package final class ProcessGroup: @unchecked Sendable {
    private var processes: [Process] = []
    private let lock = NSLock()
    private var signals: OperatorSignals?
    private var interrupted: Int32?

    package init() {}

    /// Starts `binary` with `arguments`, forwarding its output prefixed with `[prefix] `.
    package func start(_ binary: URL, _ arguments: [String], prefix: String) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let buffer = LineBuffer(prefix: prefix)
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil; buffer.flush() } else { buffer.append(data) }
        }
        try process.run()
        lock.withLock { processes.append(process) }
        return process
    }

    /// The first SIGINT or SIGTERM asks `learner` to stop after its current iteration, with a checkpoint
    /// (it then stops its workers); a second one stops every process now. Either way this one exits 130
    /// or 143 once they are gone.
    package func stopOnSignals(learner: Process) {
        stopOnSignals(learnerPID: learner.processIdentifier) { learner.isRunning }
    }

    /// `stopOnSignals(learner:)` for a learner this group did not start (one it adopted): its pid, and
    /// whether it still runs.
    package func stopOnSignals(learnerPID: pid_t, isRunning: @escaping @Sendable () -> Bool) {
        func handler(_ number: Int32) -> @Sendable () -> Void {
            { [self] in
                let first = lock.withLock { () -> Bool in
                    defer { interrupted = number }
                    return interrupted == nil
                }
                if first && isRunning() {
                    FileHandle.standardError.write(Data("launch: stopping after the current iteration with a checkpoint (again to stop now)\n".utf8))
                    kill(learnerPID, SIGTERM)
                    return
                }
                stopAll(after: 5)
                Foundation.exit(128 + number)
            }
        }
        signals = OperatorSignals([SIGINT: handler(SIGINT), SIGTERM: handler(SIGTERM)])
    }

    /// The signal that interrupted the run, if one did.
    package var interruption: Int32? { lock.withLock { interrupted } }

    /// SIGINT to every process still running (a worker's SIGTERM would drain it), SIGKILL to those left
    /// after `seconds`.
    package func stopAll(after seconds: Double) {
        let running = lock.withLock { processes.filter(\.isRunning) }
        for p in running { kill(p.processIdentifier, SIGINT) }
        let deadline = Date().addingTimeInterval(seconds)
        while running.contains(where: \.isRunning) && Date() < deadline { usleep(20_000) }
        for p in running where p.isRunning { kill(p.processIdentifier, SIGKILL) }
        waitAll()
    }

    /// Waits for every process.
    package func waitAll() { for p in lock.withLock({ processes }) { p.waitUntilExit() } }
}
