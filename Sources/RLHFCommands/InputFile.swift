#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Storage

/// Text read from a file named by a flag (`--text-file`, `--prompt-file`), or from standard input for `-`:
/// argv holds only about 128 KB, files hold more.
enum InputFile {
    /// The most bytes read from one input.
    static let maximumBytes = 256 << 20

    /// The UTF-8 text of `path` (`-`: standard input); `flag` names it in errors.
    static func read(_ path: String, flag: String) throws -> String {
        let fd = path == "-" ? 0 : open(path, O_RDONLY)
        if fd < 0 { throw CommandInputError.unreadable(flag: flag, path: path, reason: SystemErrorText.describe(errno)) }
        defer { if fd != 0 { close(fd) } }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw CommandInputError.unreadable(flag: flag, path: path, reason: "is a folder")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CommandInputError.unreadable(flag: flag, path: path, reason: SystemErrorText.describe(errno))
            }
            if n == 0 { break }
            bytes += chunk[0..<n]
            if bytes.count > maximumBytes { throw CommandInputError.tooLarge(flag: flag, path: path, limit: maximumBytes) }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CommandInputError.malformed(flag: flag, path: path, line: 1 + bytes.prefix { $0 != 0 }.count(where: { $0 == 10 }),
                                              reason: "not UTF-8 text")
        }
        return text
    }
}
