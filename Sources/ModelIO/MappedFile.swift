#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory mapping of a whole file (safetensors, GGUF and llama2.c readers).
///
/// The pages are loaded lazily by the kernel, so opening a large model costs no reads until its tensors
/// are touched. The mapping lives as long as this object.
package final class MappedFile: @unchecked Sendable {
    /// Path the file was opened from.
    package let path: String
    /// First byte of the mapping (nil for an empty file).
    package let base: UnsafeRawPointer?
    /// File size in bytes.
    package let size: Int

    /// Maps `path`; `makeError` turns a failure reason into the caller's typed error.
    package init(path: String, makeError: (String) -> Error) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)  // a FIFO opens at once, and is refused below
        if fd < 0 { throw makeError(String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 { throw makeError(String(cString: strerror(errno))) }
        if (info.st_mode & S_IFMT) != S_IFREG { throw makeError("not a regular file") }
        size = Int(info.st_size)
        if size == 0 { base = nil; return }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw makeError(String(cString: strerror(errno)))
        }
        base = UnsafeRawPointer(mapped)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), size) }
    }

    /// The whole file as bytes.
    package var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: size) }
}
