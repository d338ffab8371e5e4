import Foundation

/// A small file read whole (config.json, tokenizer files, state.json, run configs, key files), read only
/// after it is checked: a regular file (a FIFO would block the reader, a device never ends) no larger than
/// the cap its kind allows, so no side file, whatever its size, costs more than that cap in memory.
package enum SideFile {
    /// The cap for each kind of side file, in bytes: generous for real files, small next to memory.
    package enum Limit {
        /// `config.json`, `adapter_config.json`, `special_tokens_map.json`, a folder's output marker.
        package static let modelConfig = 4 << 20
        /// `tokenizer.json` (the largest real ones, 256k-token vocabularies, are ~35 MB).
        package static let tokenizerJSON = 128 << 20
        /// `vocab.json`, `merges.txt`, `vocab.txt`, a llama2.c `tokenizer.bin`.
        package static let vocabulary = 64 << 20
        /// `tokenizer_config.json` (chat templates and added-token tables).
        package static let tokenizerConfig = 32 << 20
        /// A checkpoint's `state.json` or `trainer_state.json`.
        package static let state = 1 << 20
        /// A YAML run config or a host file.
        package static let runConfig = 1 << 20
        /// A VADER lexicon file.
        package static let lexicon = 16 << 20
        /// A CurveZMQ key file.
        package static let key = 64 << 10
    }

    /// The bytes of `path` after the checks; `what` names the kind of file in errors ("a config.json").
    package static func read(_ path: String, limit: Int, what: String) throws(SideFileError) -> Data {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        if fd < 0 { throw SideFileError(path: path, reason: "cannot read it: \(describe(errno))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SideFileError(path: path, reason: "cannot read it: \(describe(errno))") }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw SideFileError(path: path, reason: "is \(kind(info.st_mode)), not a regular file")
        }
        let size = Int(info.st_size)
        guard size <= limit else {
            throw SideFileError(path: path, reason: "is \(bytes(size)), more than the \(bytes(limit)) \(what) may be")
        }
        var data = Data(count: size)
        var filled = 0
        while filled < size {
            let n = data.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, size - filled) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw SideFileError(path: path, reason: "cannot read it: \(describe(errno))") }
            if n == 0 { break }
            filled += n
        }
        data.count = filled
        return data
    }

    /// `read` for text: the UTF-8 contents of `path`.
    package static func text(_ path: String, limit: Int, what: String) throws(SideFileError) -> String {
        let data = try read(path, limit: limit, what: what)
        guard let text = String(data: data, encoding: .utf8) else { throw SideFileError(path: path, reason: "is not UTF-8 text") }
        return text
    }

    /// "1.5 GiB", "64 KiB", "17 bytes".
    package static func bytes(_ count: Int) -> String {
        if count >= 1 << 30 { return String(format: "%.1f GiB", Double(count) / Double(1 << 30)) }
        if count >= 1 << 20 { return "\(count >> 20) MiB" }
        if count >= 1 << 10 { return "\(count >> 10) KiB" }
        return "\(count) bytes"
    }

    private static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "a folder"
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        default: "a special file"
        }
    }

    private static func describe(_ code: Int32) -> String {
        if code == EACCES || code == EPERM { return "permission denied" }
        if code == ENOENT { return "no such file" }
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}

/// A side file that is not a regular file, is larger than its kind's cap, or cannot be read: the path
/// and why, in one line.
package struct SideFileError: Error, CustomStringConvertible, Equatable {
    /// The file.
    package let path: String
    /// What is wrong, as a phrase after the path ("is a FIFO, not a regular file").
    package let reason: String

    package init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    package var description: String { "\(path) \(reason)" }
}
