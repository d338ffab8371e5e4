import ClusterCore
import Foundation
import Wire

/// The learner's shared-memory copies of its weight versions, for generators on its host: each version's
/// byte stream written once into `/dev/shm/rlhf-weights-PID-TAG-vVERSION` (mode 0600: this user's
/// processes only), the two newest kept (as the session keeps their streams), the rest unlinked (a
/// generator still reading one keeps its pages until it is done), and every file unlinked on `close()`.
/// Files that a learner no longer running left behind are removed when the next one starts.
final class SharedWeightsFiles: @unchecked Sendable {
    private let lock = NSLock()
    private var files: [Int: String] = [:]
    private let stem: String

    /// A writer, after removing files of learners that no longer run.
    init() {
        let pid = getpid()
        stem = "\(SharedWeightsPath.prefix)\(pid)-\(UInt32.random(in: 0...UInt32.max))-v"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: SharedWeightsPath.folder)) ?? []
        for name in names where name.hasPrefix(SharedWeightsPath.prefix) {
            guard let owner = Int32(name.dropFirst(SharedWeightsPath.prefix.count).prefix { $0.isNumber }), owner > 1 else { continue }
            if kill(owner, 0) != 0 && errno == ESRCH { unlink("\(SharedWeightsPath.folder)/\(name)") }
        }
    }

    /// The file holding `stream`'s version, written now if it is not yet; nil when it cannot be written
    /// (no `/dev/shm`, no room: the generators take chunks).
    func file(for stream: WeightStreamSource) -> String? {
        let version = stream.manifest.version
        return lock.withLock { () -> String? in
            if let known = files[version] { return known }
            let path = "\(SharedWeightsPath.folder)/\(stem)\(version)"
            guard Self.write(stream, to: path) else { return nil }
            files[version] = path
            for old in files.keys where old < version - 1 {
                unlink(files[old]!)
                files[old] = nil
            }
            return path
        }
    }

    /// Unlinks every file.
    func close() {
        lock.withLock {
            for path in files.values { unlink(path) }
            files.removeAll()
        }
    }

    /// Writes the stream's bytes (the snapshot's values, in place) to a new file at `path`; false if it fails.
    private static func write(_ stream: WeightStreamSource, to path: String) -> Bool {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { return false }
        defer { Foundation.close(descriptor) }
        let written = stream.weights.values.withUnsafeBufferPointer { values -> Bool in
            let bytes = UnsafeRawBufferPointer(values)
            guard ftruncate(descriptor, off_t(stream.manifest.totalBytes)) == 0 else { return false }
            var offset = 0
            while offset < stream.manifest.totalBytes {
                let count = Foundation.write(descriptor, bytes.baseAddress! + offset, min(stream.manifest.totalBytes - offset, 64 << 20))
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        if !written { unlink(path) }
        return written
    }
}

/// A generator's read-only mapping of the learner's shared-memory file for one version: its values are
/// used in place, and the mapping goes when they do.
final class SharedWeightsMapping: @unchecked Sendable {
    /// The mapped bytes.
    let bytes: UnsafeRawBufferPointer

    /// The mapping as weight values that keep it alive.
    var values: WeightValues {
        WeightValues(borrowing: bytes.baseAddress!.assumingMemoryBound(to: Float.self), count: bytes.count / 4, owner: self)
    }

    /// Maps `path`, which must be a regular file of this user, exactly `size` bytes long; the error says why not.
    init(path: String, size: Int) throws(SharedWeightsMappingError) {
        guard SharedWeightsPath.isValid(path) else { throw .init("\(path.prefix(80)) is not a shared-weights path") }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { throw .init("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { Foundation.close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, status.st_uid == geteuid() else {
            throw .init("\(path) is not a regular file of this user")
        }
        guard Int(status.st_size) == size, size > 0, size % 4 == 0 else { throw .init("\(path) holds \(status.st_size) bytes; the version has \(size)") }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw .init("cannot map \(path): \(String(cString: strerror(errno)))")
        }
        _ = madvise(address, size, MADV_SEQUENTIAL)
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) }
}

/// Why a shared-weights file could not be mapped, in one line.
struct SharedWeightsMappingError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
