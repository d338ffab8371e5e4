/// A bounds-checked little-endian cursor over a file's bytes; every read past the end throws `truncated`.
struct GGUFByteReader {
    let bytes: UnsafeRawBufferPointer
    let file: String
    private(set) var offset: Int = 0

    init(bytes: UnsafeRawBufferPointer, file: String) {
        self.bytes = bytes; self.file = file
    }

    /// Throws `truncated` unless `count` bytes remain (no overflow for absurd counts).
    func require(_ count: Int, for what: @autoclosure () -> String) throws {
        if count < 0 || count > bytes.count - offset {
            throw GGUFError.truncated(file: file, what: what(), offset: offset, needed: count, fileSize: bytes.count)
        }
    }

    /// Reads one little-endian integer.
    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws -> T {
        try require(MemoryLayout<T>.size, for: what())
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return T(littleEndian: value)
    }

    /// Reads a u64 count or size and checks it fits an `Int`.
    mutating func readCount(_ what: @autoclosure () -> String) throws -> Int {
        let start = offset
        let raw = try read(UInt64.self, what())
        guard let count = Int(exactly: raw) else {
            throw GGUFError.truncated(file: file, what: what(), offset: start, needed: Int.max, fileSize: bytes.count)
        }
        return count
    }

    /// Reads a GGUF string: u64 byte length, then UTF-8 bytes (invalid sequences are repaired).
    mutating func readString(_ what: @autoclosure () -> String) throws -> String {
        let length = try readCount(what())
        try require(length, for: what())
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length])
        offset += length
        return String(decoding: slice, as: UTF8.self)
    }

    /// Moves the cursor to `newOffset` (within or at the end of the bytes).
    mutating func seek(to newOffset: Int, _ what: @autoclosure () -> String) throws {
        if newOffset < 0 || newOffset > bytes.count {
            throw GGUFError.truncated(file: file, what: what(), offset: offset, needed: newOffset - offset,
                                      fileSize: bytes.count)
        }
        offset = newOffset
    }
}
