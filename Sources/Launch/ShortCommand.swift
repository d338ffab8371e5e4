import Foundation

/// A short helper command a launcher runs and waits for (`ssh HOST CMD`, `scontrol`, `scancel`, `tar`):
/// its output read back, bounded in time.
package enum ShortCommand {
    /// What a command left: its exit status (-1: it ran past its time and was killed) and its output.
    package struct Result: Sendable {
        /// The exit status.
        package var status: Int32
        /// Standard output, and standard error.
        package var stdout: Data, stderr: Data

        /// Standard error's last line, for an error message.
        package var lastErrorLine: String {
            String(decoding: stderr, as: UTF8.self).split(separator: "\n").last.map { String($0.prefix(300)) } ?? ""
        }
        /// Standard output as text.
        package var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs `executable` with `arguments`, standard input from `input` (a file) or `data` (empty if
    /// neither), for at most `timeout` seconds.
    package static func run(_ executable: URL, _ arguments: [String], input: URL? = nil, data: Data? = nil, timeout: Double) throws -> Result {
        var source = input?.path ?? "/dev/null"
        var staged: URL?
        if let data {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-input-\(UUID().uuidString)")
            guard FileManager.default.createFile(atPath: file.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
                throw POSIXError(.EIO)
            }
            (source, staged) = (file.path, file)
        }
        defer { if let staged { try? FileManager.default.removeItem(at: staged) } }
        let collected = Collected(), complaints = Collected()
        let process = try ChildProcess(executable, arguments, input: source, output: { collected.add($0) }, errors: { complaints.add($0) })
        let timedOut = !process.wait(seconds: timeout)
        if timedOut {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        collected.waitForEnd(seconds: 5)
        complaints.waitForEnd(seconds: 1)
        return Result(status: timedOut ? -1 : process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus,
                      stdout: collected.data, stderr: complaints.data)
    }

    /// A child's output as it arrives, and whether it has ended.
    private final class Collected: @unchecked Sendable {
        private let condition = NSCondition()
        private var bytes = Data(), ended = false

        func add(_ chunk: Data?) {
            condition.withLock {
                if let chunk { bytes.append(chunk) } else { ended = true; condition.broadcast() }
            }
        }

        func waitForEnd(seconds: Double) {
            let deadline = Date().addingTimeInterval(seconds)
            condition.withLock { while !ended && condition.wait(until: deadline) {} }
        }

        var data: Data { condition.withLock { bytes } }
    }

    /// The first executable named `name` on `PATH` (or `name` itself when it holds a slash).
    package static func find(_ name: String) -> URL? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? URL(fileURLWithPath: name) : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
            return URL(fileURLWithPath: "\(folder)/\(name)")
        }
        return nil
    }
}
