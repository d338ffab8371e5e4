import Foundation

/// A system command a test runs and waits for (`ip`, `sshd`, `slurmctld`, `tmux`): spawned with
/// posix_spawn and waited for with waitpid, its output through a file. Foundation's `Process` would wait
/// for its child's end of the output pipe, which a daemon the command starts inherits and keeps.
package enum SystemCommand {
    /// What a command left: its exit status (-1: killed after its time ran out) and its output (both streams).
    package struct Result: Sendable {
        /// The exit status.
        package let status: Int32
        /// Standard output and standard error, interleaved.
        package let output: String
    }

    /// A command that did not succeed: its words, status and output.
    package struct Failure: Error, CustomStringConvertible {
        /// The command's words.
        package let command: [String]
        /// What it left.
        package let result: Result

        package var description: String { "\(command.joined(separator: " ")): status \(result.status): \(result.output.suffix(2000))" }
    }

    /// Runs `command` (its first word found on `PATH`) with `environment` added, for at most `timeout` seconds.
    package static func run(_ command: [String], environment: [String: String] = [:], timeout: Double = 60) throws -> Result {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("command-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let argv = command.map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, command[0], &actions, nil, argv, envp)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid || (done < 0 && errno != EINTR) { break }
            if Date() > deadline && !timedOut {
                timedOut = true
                kill(pid, SIGKILL)
            }
            usleep(5_000)
        }
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        return Result(status: timedOut ? -1 : (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f), output: text)
    }

    /// Runs `command` and returns its output; any status but 0 is a `Failure`.
    @discardableResult
    package static func check(_ command: [String], environment: [String: String] = [:], timeout: Double = 60) throws -> String {
        let result = try run(command, environment: environment, timeout: timeout)
        guard result.status == 0 else { throw Failure(command: command, result: result) }
        return result.output
    }

    /// Whether `name` is an executable on `PATH` (or at that path).
    package static func exists(_ name: String) -> Bool {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) }
        return (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
    }
}
