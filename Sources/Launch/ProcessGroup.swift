import Dispatch
import Foundation

/// The launched processes: output forwarded line by line with a prefix, and stopped together. A process
/// on another host (its local client is ssh or srun) comes with a `RemoteHandle`: it is signalled there.
package final class ProcessGroup: @unchecked Sendable {
    private var processes: [ChildProcess] = []
    private var remotes: [ObjectIdentifier: RemoteHandle] = [:]
    private let lock = NSLock()
    private var signals: OperatorSignals?
    private var interrupted: Int32?

    package init() {}

    /// Starts `command`, forwarding its output prefixed with `[prefix] `.
    package func start(_ command: HostCommand, prefix: String) throws -> ChildProcess {
        let remote = command.remote
        var onMarker: (@Sendable (String) -> Void)?
        if let remote { onMarker = { remote.mark($0) } }
        let buffer = LineBuffer(prefix: prefix, onMarker: onMarker)
        let process = try ChildProcess(command.executable, command.arguments) { data in
            if let data { buffer.append(data) } else { buffer.flush() }
        }
        lock.withLock {
            processes.append(process)
            if let remote { remotes[ObjectIdentifier(process)] = remote }
        }
        return process
    }

    /// Sends signal `number` to `process`: on its host when it runs there and has named itself, else to
    /// the local process.
    package func signal(_ process: ChildProcess, _ number: Int32) {
        let remote = lock.withLock { remotes[ObjectIdentifier(process)] }
        if remote?.signal(number) != true { kill(process.processIdentifier, number) }
    }

    /// The first SIGINT or SIGTERM asks `learner` to stop after its current iteration, with a checkpoint
    /// (it then stops its workers); a second one stops every process now. Either way this one exits 130
    /// or 143 once they are gone.
    package func stopOnSignals(learner: ChildProcess) {
        stopOnSignals(signalLearner: { [self] in signal(learner, $0) }) { learner.isRunning }
    }

    /// `stopOnSignals(learner:)` for a learner this group did not start (one it adopted): its pid, and
    /// whether it still runs.
    package func stopOnSignals(learnerPID: pid_t, isRunning: @escaping @Sendable () -> Bool) {
        stopOnSignals(signalLearner: { kill(learnerPID, $0) }, isRunning: isRunning)
    }

    private func stopOnSignals(signalLearner: @escaping @Sendable (Int32) -> Void, isRunning: @escaping @Sendable () -> Bool) {
        func handler(_ number: Int32) -> @Sendable () -> Void {
            { [self] in
                let first = lock.withLock { () -> Bool in
                    defer { interrupted = number }
                    return interrupted == nil
                }
                if first && isRunning() {
                    FileHandle.standardError.write(Data("launch: stopping after the current iteration with a checkpoint (again to stop now)\n".utf8))
                    signalLearner(SIGTERM)
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
    /// after `seconds` (a remote one on its host, then its local client after 5 more seconds).
    package func stopAll(after seconds: Double) {
        let running = lock.withLock { processes.filter(\.isRunning) }
        for p in running { signal(p, SIGINT) }
        let deadline = Date().addingTimeInterval(seconds)
        while running.contains(where: \.isRunning) && Date() < deadline { usleep(20_000) }
        for p in running where p.isRunning { signal(p, SIGKILL) }
        let clients = Date().addingTimeInterval(5)
        while running.contains(where: \.isRunning) && Date() < clients { usleep(20_000) }
        for p in running where p.isRunning { kill(p.processIdentifier, SIGKILL) }
        waitAll()
    }

    /// Waits for every process.
    package func waitAll() { for p in lock.withLock({ processes }) { p.waitUntilExit() } }
}
