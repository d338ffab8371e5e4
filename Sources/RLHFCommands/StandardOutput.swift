#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Storage

/// Why command output could not be written.
enum OutputError: Error, CustomStringConvertible, Equatable {
    /// A write to standard output failed (a full disk, a closed pipe).
    case writeFailed(reason: String)

    var description: String { "cannot write to standard output: \(reason)" }

    private var reason: String {
        switch self { case .writeFailed(let reason): reason }
    }
}

/// The one writer every command's results go through: unbuffered `write(2)` calls whose failures are
/// thrown, so a full disk or a closed pipe ends the command with an error instead of lost output.
/// (`RLHFCommand.runMain` ignores SIGPIPE, so a closed pipe is an `EPIPE` error here, not a signal.)
enum StandardOutput {
    /// Writes `text` as it is.
    static func write(_ text: String) throws {
        var bytes = Array(text.utf8)
        try bytes.withUnsafeMutableBytes { buffer in
            var done = 0
            while done < buffer.count {
                let n = systemWrite(1, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw OutputError.writeFailed(reason: SystemErrorText.describe(errno))
                }
                done += n
            }
        }
    }

    /// Writes `text` and a newline.
    static func line(_ text: String) throws { try write(text + "\n") }
}

/// `write(2)`, named apart from `StandardOutput.write`.
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}
