#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Storage

/// What can go wrong reading or writing a key file; each says which file and what to do.
package enum CurveKeyFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(path: String, errno: Int32)
    /// The file (or its temporary sibling) could not be written or renamed into place.
    case unwritable(path: String, errno: Int32)
    /// A file holding a secret key can be read or written by group or others (`mode` is its permission bits).
    case readableByOthers(path: String, mode: UInt32)
    /// A line that is not a key file line, or a key that is not 40 characters of Z85.
    case malformed(path: String, line: Int, reason: String)
    /// The file has no `public-key` or `secret-key` line (`name`).
    case missingKey(path: String, name: String)

    package var description: String {
        switch self {
        case let .unreadable(path, code): "cannot read key file \(path): \(String(cString: strerror(code)))"
        case let .unwritable(path, code): "cannot write key file \(path): \(String(cString: strerror(code)))"
        case let .readableByOthers(path, mode):
            "key file \(path) holds a secret key but has mode \(String(mode, radix: 8)); run chmod 600 \(path)"
        case let .malformed(path, line, reason): "\(path):\(line): \(reason)"
        case let .missingKey(path, name): "key file \(path) has no \(name) line"
        }
    }
}

/// CurveZMQ key files: ZPL text as czmq's `zcert` writes it (a `curve` section with quoted Z85
/// `public-key` and `secret-key`). A secret file is written with mode 0600 and refused on reading when
/// group or others may read it; a public file (mode 0644) holds the public key only.
package enum CurveKeyFile {
    /// Writes `pair` to `path` with mode 0600, whole or not at all (a temporary file renamed into place).
    package static func write(_ pair: CurveKeyPair, to path: String) throws(CurveKeyFileError) {
        let text = """
            #   ZeroMQ CURVE **Secret** key, written by swift-rlhf
            #   Keep it private: mode 0600, never copied to another user.
            curve
                public-key = "\(pair.publicKey.z85)"
                secret-key = "\(pair.secretKey.z85)"

            """
        try writeAtomically(text, to: path, mode: 0o600)
    }

    /// Writes the public key `key` to `path` with mode 0644 (peers are given this file).
    package static func writePublic(_ key: CurveKey, to path: String) throws(CurveKeyFileError) {
        let text = """
            #   ZeroMQ CURVE package key, written by swift-rlhf
            curve
                public-key = "\(key.z85)"

            """
        try writeAtomically(text, to: path, mode: 0o644)
    }

    /// Reads a key pair written by `write(_:to:)`; refuses a file that group or others may read.
    package static func readPair(from path: String) throws(CurveKeyFileError) -> CurveKeyPair {
        let keys = try load(path)
        guard let secret = keys.secret else { throw .missingKey(path: path, name: "secret-key") }
        guard let publicKey = keys.public else { throw .missingKey(path: path, name: "public-key") }
        return CurveKeyPair(publicKey: publicKey, secretKey: secret)
    }

    /// Reads the public key of a public or a secret key file (a secret one must still be private).
    package static func readPublicKey(from path: String) throws(CurveKeyFileError) -> CurveKey {
        guard let key = try load(path).public else { throw .missingKey(path: path, name: "public-key") }
        return key
    }

    private static func load(_ path: String) throws(CurveKeyFileError) -> (public: CurveKey?, secret: CurveKey?) {
        // O_NONBLOCK: opening a FIFO put where a key file goes returns at once (and is refused below) instead of
        // waiting forever for a writer
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { throw .unreadable(path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(path: path, errno: errno) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .malformed(path: path, line: 0, reason: "not a regular file") }
        guard info.st_size <= 65536 else { throw .malformed(path: path, line: 0, reason: "\(info.st_size) bytes is too large for a key file") }
        var data = [UInt8](repeating: 0, count: Int(info.st_size))
        var filled = 0
        while filled < data.count {
            let n = data.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw .unreadable(path: path, errno: n < 0 ? errno : EIO) }
            filled += n
        }
        var publicKey: CurveKey?
        var secretKey: CurveKey?
        for (index, rawLine) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingSpaces
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            guard let equals = line.firstIndex(of: "=") else { continue }  // a section name: `metadata`, `curve`
            let name = line[..<equals].trimmingSpaces
            var value = line[line.index(after: equals)...].trimmingSpaces
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = value.dropFirst().dropLast() }
            guard name == "public-key" || name == "secret-key" else { continue }
            guard let key = CurveKey(z85: String(value)) else {
                throw .malformed(path: path, line: index + 1, reason: "\(name) is not 40 characters of Z85")
            }
            if name == "public-key" { publicKey = key } else { secretKey = key }
        }
        if secretKey != nil, info.st_mode & 0o077 != 0 {
            throw .readableByOthers(path: path, mode: UInt32(info.st_mode & 0o777))
        }
        return (publicKey, secretKey)
    }

    private static func writeAtomically(_ text: String, to path: String, mode: mode_t) throws(CurveKeyFileError) {
        do { try StagedWrite.file(URL(fileURLWithPath: path), contents: Data(text.utf8), mode: mode) } catch {
            throw .unwritable(path: path, errno: errno == 0 ? EIO : errno)
        }
    }
}

extension StringProtocol {
    fileprivate var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return Substring("") }
        let last = lastIndex(where: { !isSpace($0) })!
        return Substring(self[first ... last])
    }
}

// File-scope names for read(2) and write(2): inside `CurveKeyFile` its own `write` would shadow them.
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buffer, count) }
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }
