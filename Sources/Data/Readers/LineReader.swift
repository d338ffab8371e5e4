import CZlib

/// Reads a text file line by line, gzip-compressed or not (zlib's `gzread` reads both), in 64 KiB
/// chunks, so a large data set streams without being held whole. Lines longer than `maximumLineBytes`
/// are an error naming the line, not a runaway allocation.
public final class LineReader {
    /// The file.
    public let path: String
    /// The longest line accepted, in bytes.
    public let maximumLineBytes: Int
    private let file: gzFile
    private var buffer: [UInt8] = []
    private var position = 0
    private var finished = false
    /// Lines returned so far (the current line's number).
    public private(set) var lineNumber = 0

    /// Opens `path`.
    public init(path: String, maximumLineBytes: Int = 64 << 20) throws {
        self.path = path
        self.maximumLineBytes = maximumLineBytes
        guard let file = gzopen(path, "rb") else {
            throw DataFileError(file: path, line: nil, reason: "cannot open it (\(SystemErrorText.current()))")
        }
        gzbuffer(file, 1 << 16)
        self.file = file
    }

    deinit { gzclose(file) }

    /// The next line without its line break (a trailing `\r` is dropped too), or nil at the end.
    public func nextLine() throws -> String? {
        var line: [UInt8] = []
        while true {
            if position == buffer.count {
                if finished { break }
                try refill()
                if position == buffer.count { break }
            }
            if let newline = buffer[position...].firstIndex(of: 0x0A) {
                line += buffer[position..<newline]
                position = newline + 1
                return try finish(line, ended: true)
            }
            line += buffer[position...]
            position = buffer.count
            if line.count > maximumLineBytes {
                throw DataFileError(file: path, line: lineNumber + 1, reason: "line longer than \(maximumLineBytes) bytes")
            }
        }
        return line.isEmpty ? nil : try finish(line, ended: false)
    }

    private func finish(_ bytes: [UInt8], ended: Bool) throws -> String {
        lineNumber += 1
        guard bytes.count <= maximumLineBytes else {
            throw DataFileError(file: path, line: lineNumber, reason: "line longer than \(maximumLineBytes) bytes")
        }
        var bytes = bytes
        if bytes.last == 0x0D { bytes.removeLast() }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw DataFileError(file: path, line: lineNumber, reason: "not valid UTF-8")
        }
        return text
    }

    private func refill() throws {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
        if n < 0 {
            var code: Int32 = 0
            let message = gzerror(file, &code).map { String(cString: $0) } ?? "read error"
            throw DataFileError(file: path, line: lineNumber + 1, reason: "cannot read it: \(message)")
        }
        if n == 0 { finished = true }
        buffer = Array(chunk[0..<Int(n)])
        position = 0
    }
}

/// The text of the current `errno`.
enum SystemErrorText {
    static func current() -> String {
        #if canImport(Glibc)
        return String(cString: strerror(errno))
        #else
        return "errno \(errno)"
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#endif
