import Foundation

/// Words already merged, by their UTF-8 bytes, shared by all copies of a tokenizer (thread-safe).
final class BPEWordCache: @unchecked Sendable {
    private let lock = NSLock()
    private var words: [[UInt8]: [Int32]] = [:]
    private let capacity: Int

    /// A cache that empties itself when it holds `capacity` words.
    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// The ids cached for `word`.
    func ids(for word: ArraySlice<UInt8>) -> [Int32]? {
        let key = Array(word)
        lock.lock()
        defer { lock.unlock() }
        return words[key]
    }

    /// Remembers the ids of `word`.
    func store(_ ids: [Int32], for word: ArraySlice<UInt8>) {
        lock.lock()
        defer { lock.unlock() }
        if words.count >= capacity { words.removeAll(keepingCapacity: true) }
        words[Array(word)] = ids
    }
}
