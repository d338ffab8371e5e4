import Foundation

/// One-line `warning: ...` messages on standard error, for options a combination ignores.
enum CommandWarning {
    /// Prints `warning: message` (kept on one line).
    static func emit(_ message: String) {
        FileHandle.standardError.write(Data("warning: \(MessageEscaping.oneLine(message))\n".utf8))
    }
}
