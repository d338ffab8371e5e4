import Foundation

/// Splits a child's output into lines and prints each with its prefix. A line that starts with
/// `RemoteMarker.prefix` is the remote side naming its process (`RemoteMarker`): it goes to `onMarker`, not
/// to the terminal.
final class LineBuffer: @unchecked Sendable {
    private let prefix: String
    private let onMarker: (@Sendable (String) -> Void)?
    private var pending = Data()
    private let lock = NSLock()

    init(prefix: String, onMarker: (@Sendable (String) -> Void)? = nil) { self.prefix = prefix; self.onMarker = onMarker }

    func append(_ data: Data) {
        lock.withLock {
            pending.append(data)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                emit(pending[pending.startIndex..<newline])
                pending.removeSubrange(pending.startIndex...newline)
            }
        }
    }

    func flush() { lock.withLock { if !pending.isEmpty { emit(pending); pending.removeAll() } } }

    private func emit(_ line: Data) {
        let text = String(decoding: line, as: UTF8.self).replacingOccurrences(of: "\r", with: "")
        if let onMarker, text.hasPrefix(RemoteMarker.prefix) {
            onMarker(String(text.dropFirst(RemoteMarker.prefix.count)))
            return
        }
        FileHandle.standardError.write(Data("[\(prefix)] \(text)\n".utf8))
    }
}
