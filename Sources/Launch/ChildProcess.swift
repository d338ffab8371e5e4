import CKernelSupport
import Foundation

/// A process the launcher starts, with posix_spawn, and reaps itself with waitpid on its own thread.
/// Foundation's `Process` learns of a child's end when the child closes a socket it inherited, then
/// blocks in waitpid on its one manager thread: `ssh` closes every inherited descriptor as it starts, so
/// that thread would wait for the ssh to end and no other child's end would be seen meanwhile. Here the
/// child gets standard input from a file, standard output and error into pipes (one for both, or one
/// each) or /dev/null, and no other descriptor of this process.
package final class ChildProcess: @unchecked Sendable {
    /// How a process ended, as Foundation's `Process` says it.
    package enum TerminationReason: Sendable, Equatable {
        /// It exited (`terminationStatus` is its status).
        case exit
        /// A signal ended it (`terminationStatus` is the signal).
        case uncaughtSignal
    }

    /// Its pid.
    package let processIdentifier: pid_t
    private let ended = NSCondition()
    private var status: Int32?

    /// Starts `executable` with `arguments` and `environment` (nil: this process's), standard input from
    /// `input`; each chunk of its output goes to `output`, then nil at its end (no `output`: /dev/null);
    /// with `errors`, standard error goes there instead, the same way.
    package init(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil, input: String = "/dev/null",
                 output: (@Sendable (Data?) -> Void)? = nil, errors: (@Sendable (Data?) -> Void)? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // (read end, write end, its reader) per pipe: standard output's, and standard error's when it has its own
        var pipes: [(Int32, Int32, @Sendable (Data?) -> Void)] = []
        for (sink, targets) in [(output, errors == nil ? [Int32(1), 2] : [1]), (errors, [2])] where !targets.isEmpty {
            guard let sink else {
                if targets.contains(1) { for target in targets { posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0) } }
                continue
            }
            var ends: [Int32] = [-1, -1]
            guard rlhf_pipe_cloexec(&ends) == 0 else {
                for (read, write, _) in pipes { close(read); close(write) }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            for target in targets { posix_spawn_file_actions_adddup2(&actions, ends[1], target) }
            pipes.append((ends[0], ends[1], sink))
        }
        posix_spawn_file_actions_addopen(&actions, 0, input, O_RDONLY, 0)
        rlhf_spawn_close_from(&actions, 3)
        // the child starts with default signal handling and nothing blocked
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        let envp = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable.path, &actions, &attributes, argv, envp)
        for (_, write, _) in pipes { close(write) }
        guard spawned == 0 else {
            for (read, _, _) in pipes { close(read) }
            throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL)
        }
        processIdentifier = pid
        let child = pid
        for (readEnd, _, output) in pipes {
            Thread.detachNewThread {
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
                    if count < 0 && errno == EINTR { continue }
                    guard count > 0 else { break }
                    output(Data(buffer[0..<count]))
                }
                close(readEnd)
                output(nil)
            }
        }
        Thread.detachNewThread { [self] in
            var raw: Int32 = 0
            while waitpid(child, &raw, 0) < 0 && errno == EINTR {}
            ended.withLock {
                status = raw
                ended.broadcast()
            }
        }
    }

    /// Whether it still runs.
    package var isRunning: Bool { ended.withLock { status == nil } }

    /// Its exit status, or the signal that ended it (0 while it runs).
    package var terminationStatus: Int32 {
        guard let raw = ended.withLock({ status }) else { return 0 }
        return raw & 0x7f == 0 ? (raw >> 8) & 0xff : raw & 0x7f
    }

    /// Whether it exited or a signal ended it.
    package var terminationReason: TerminationReason {
        guard let raw = ended.withLock({ status }) else { return .exit }
        return raw & 0x7f == 0 ? .exit : .uncaughtSignal
    }

    /// Waits for its end.
    package func waitUntilExit() { ended.withLock { while status == nil { ended.wait() } } }

    /// Waits at most `seconds` for its end; whether it ended.
    package func wait(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        return ended.withLock {
            while status == nil { guard ended.wait(until: deadline) else { return status != nil } }
            return true
        }
    }
}
