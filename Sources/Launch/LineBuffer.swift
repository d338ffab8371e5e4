import Foundation

/// Splits a child's output into lines and prints each with its prefix.
final class LineBuffer: @unchecked Sendable {
    private let prefix: String
    private var pending = Data()
    private let lock = NSLock()

    init(prefix: String) { self.prefix = prefix }

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
        FileHandle.standardError.write(Data("[\(prefix)] \(text)\n".utf8))
    }
}
