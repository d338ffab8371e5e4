import Foundation

/// Writes a file under a temporary name in the same folder and renames it into place, so a reader never
/// sees a half-written file and a failed write leaves the previous file untouched.
enum CheckpointAtomicWriter {
    /// Calls `body` with a handle on the temporary file, then renames it to `url`.
    static func write(to url: URL, _ body: (FileHandle) throws -> Void) throws {
        let path = url.path
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw SafetensorsError.writeFailed(file: path, reason: "cannot create \(temporary.path)")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            do {
                try body(handle)
                try handle.synchronize()
                try handle.close()
            } catch {
                try? handle.close()
                throw error
            }
            guard rename(temporary.path, path) == 0 else {
                throw SafetensorsError.writeFailed(file: path, reason: "rename failed: \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            if error is SafetensorsError { throw error }
            throw SafetensorsError.writeFailed(file: path, reason: String(describing: error))
        }
    }

    /// Writes `data` to `url` atomically.
    static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { try $0.write(contentsOf: data) }
    }
}
