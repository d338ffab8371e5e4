import Foundation

/// What is at a path, from `lstat`/`stat`: the output rule writes only regular files and folders, and
/// names anything else in its refusal.
package enum FileKind: Equatable {
    case missing, regular, folder, symbolicLink, fifo, socket, characterDevice, blockDevice, other

    /// The kind of `path` itself (a symbolic link is `.symbolicLink`).
    package static func of(_ path: String) -> FileKind { kind(path, follow: false) }

    /// The kind of what `path` leads to, symbolic links followed (a dangling link is `.missing`).
    package static func following(_ path: String) -> FileKind { kind(path, follow: true) }

    private static func kind(_ path: String, follow: Bool) -> FileKind {
        var info = stat()
        guard (follow ? stat(path, &info) : lstat(path, &info)) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .folder
        case S_IFLNK: return .symbolicLink
        case S_IFIFO: return .fifo
        case S_IFSOCK: return .socket
        case S_IFCHR: return .characterDevice
        case S_IFBLK: return .blockDevice
        default: return .other
        }
    }

    /// "a FIFO", "a folder", ... for messages.
    package var phrase: String {
        switch self {
        case .missing: "missing"
        case .regular: "a file"
        case .folder: "a folder"
        case .symbolicLink: "a symbolic link"
        case .fifo: "a FIFO"
        case .socket: "a socket"
        case .characterDevice: "a character device"
        case .blockDevice: "a block device"
        case .other: "a special file"
        }
    }
}
