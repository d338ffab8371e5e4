import CZlib
import Foundation

/// Reads a text file line by line, gzip-compressed or not (zlib's `gzread` reads both), in 64 KiB
/// chunks, so a large data set streams without being held whole. Blank lines (only spaces, tabs, `\r`)
/// are passed over. Hostile files fail fast instead of costing memory or time: a line longer than
/// `maximumLineBytes`, more than `maximumBlankRun` blank lines in a row, or a compressed file that inflates
/// past 256 MiB and more than `maximumInflation` times its size is an error naming the line.
public final class LineReader {
    /// The file.
    public let path: String
    /// The longest line accepted, in bytes.
    public let maximumLineBytes: Int
    /// The most blank lines in a row a data file may hold.
    public static let maximumBlankRun = 100_000
    /// How many times its size a compressed file may inflate to (past 256 MiB): text compresses 3-10 fold,
    /// a decompression bomb a thousandfold.
    public static let maximumInflation = 100
    private let file: gzFile
    private let compressedBytes: Int?
    private var inflatedBytes = 0
    private var buffer: [UInt8] = []
    private var position = 0
    private var finished = false
    private var blankRun = 0
    /// Lines passed so far, blank ones included (the current line's number).
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
        var info = stat()
        compressedBytes = gzdirect(file) == 0 && stat(path, &info) == 0 ? Int(info.st_size) : nil
    }

    deinit { gzclose(file) }

    /// The next line that is not blank, without its line break (a trailing `\r` is dropped too), or nil at the end.
    public func nextLine() throws -> String? {
        while true {
            guard let line = try rawLine() else { return nil }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                blankRun += 1
                if blankRun > Self.maximumBlankRun {
                    throw DataFileError(file: path, line: lineNumber,
                                        reason: "more than \(Self.maximumBlankRun) blank lines in a row; not a data file")
                }
                continue
            }
            blankRun = 0
            return try finish(line)
        }
    }

    /// The next line's bytes (nil at the end), counted in `lineNumber`.
    private func rawLine() throws -> ArraySlice<UInt8>? {
        var line: [UInt8] = []
        while true {
            if position == buffer.count {
                if finished { break }
                try refill()
                if position == buffer.count { break }
            }
            if let newline = buffer[position...].firstIndex(of: 0x0A) {
                lineNumber += 1
                defer { position = newline + 1 }
                if line.isEmpty { return buffer[position..<newline] }
                line += buffer[position..<newline]
                return try checked(line[...])
            }
            line += buffer[position...]
            position = buffer.count
            if line.count > maximumLineBytes {
                throw DataFileError(file: path, line: lineNumber + 1, reason: "line longer than \(maximumLineBytes) bytes")
            }
        }
        if line.isEmpty { return nil }
        lineNumber += 1
        return try checked(line[...])
    }

    private func checked(_ bytes: ArraySlice<UInt8>) throws -> ArraySlice<UInt8> {
        guard bytes.count <= maximumLineBytes else {
            throw DataFileError(file: path, line: lineNumber, reason: "line longer than \(maximumLineBytes) bytes")
        }
        return bytes
    }

    private func finish(_ bytes: ArraySlice<UInt8>) throws -> String {
        let trimmed = bytes.last == 0x0D ? bytes.dropLast() : bytes
        guard bytes.count <= maximumLineBytes else {
            throw DataFileError(file: path, line: lineNumber, reason: "line longer than \(maximumLineBytes) bytes")
        }
        guard let text = String(validating: trimmed, as: UTF8.self) else {
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
        inflatedBytes += Int(n)
        if let compressedBytes, inflatedBytes > 256 << 20, inflatedBytes / Self.maximumInflation > compressedBytes {
            throw DataFileError(file: path, line: lineNumber + 1,
                                reason: "inflates to more than \(Self.maximumInflation) times its \(compressedBytes) bytes; a decompression bomb, not a data file")
        }
        buffer = Array(chunk[0..<Int(n)])
        position = 0
    }
}

