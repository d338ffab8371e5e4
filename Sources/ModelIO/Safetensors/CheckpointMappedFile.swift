#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory; unmapped when released.
final class CheckpointMappedFile: @unchecked Sendable {
    /// First byte (nil for an empty file, which cannot be mapped).
    let bytes: UnsafeRawPointer?
    /// File size in bytes.
    let size: Int

    /// Maps `path`; throws `SafetensorsError.cannotOpen` with the system's reason.
    init(path: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw SafetensorsError.cannotOpen(file: path, reason: Self.systemError()) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw SafetensorsError.cannotOpen(file: path, reason: Self.systemError()) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw SafetensorsError.cannotOpen(file: path, reason: "not a regular file") }
        size = Int(status.st_size)
        if size == 0 { bytes = nil; return }
        let mapping = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let mapping, mapping != MAP_FAILED else { throw SafetensorsError.cannotOpen(file: path, reason: Self.systemError()) }
        bytes = UnsafeRawPointer(mapping)
    }

    deinit {
        if let bytes { munmap(UnsafeMutableRawPointer(mutating: bytes), size) }
    }

    private static func systemError() -> String { String(cString: strerror(errno)) }
}
