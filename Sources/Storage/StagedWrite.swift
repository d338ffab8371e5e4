import Foundation

/// The one way this package writes what must never be seen half-written (a model, a checkpoint, a result
/// file, a log rewritten on resume, a key): under a temporary name beside the destination, synced, then
/// renamed into place. A failure removes what it wrote and leaves the destination as it was.
package enum StagedWrite {
    /// Writes the file `url` through `body` (a handle on the temporary file `.NAME.partial-XXXXXX` beside
    /// it, created with `mode`), syncs it, runs `beforeRename` (a last check of the destination), and
    /// renames it over `url`.
    package static func file(_ url: URL, mode: mode_t = 0o666, beforeRename: () throws -> Void = {},
                             _ body: (FileHandle) throws -> Void) throws {
        let temporary = try unusedPath(url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-").path)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw StagedWriteError(path: url.path, reason: "cannot create \(temporary): \(SystemErrorText.current())") }
        var committed = false
        defer { if !committed { unlink(temporary) } }
        if mode & 0o077 == 0 { fchmod(fd, mode) }  // a private file stays private whatever the umask
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            try body(handle)
            try handle.synchronize()
            try handle.close()
        } catch let error as StagedWriteError {
            throw error
        } catch {
            throw StagedWriteError(path: url.path, reason: Self.reason(error))
        }
        try beforeRename()
        guard rename(temporary, url.path) == 0 else {
            throw StagedWriteError(path: url.path, reason: "rename \(temporary): \(SystemErrorText.current())")
        }
        committed = true
        syncFolder(url.deletingLastPathComponent())
    }

    /// Writes `contents` as the file `url` (see `file(_:mode:beforeRename:_:)`).
    package static func file(_ url: URL, contents: Data, mode: mode_t = 0o666, beforeRename: () throws -> Void = {}) throws {
        try file(url, mode: mode, beforeRename: beforeRename) { try $0.write(contentsOf: contents) }
    }

    /// A folder written under a temporary sibling name (`DIR.partial-XXXXXX`, or hidden `.DIR.partial-XXXXXX`)
    /// and renamed to its destination only once complete, every file in it synced first; or its files
    /// renamed one by one into an existing folder.
    package final class Folder {
        /// Where the folder ends up.
        package let destination: URL
        /// Where it is written meanwhile.
        package let staging: URL
        private var isCommitted = false

        /// Creates the staging folder beside `destination` (creating missing parent folders), hidden when
        /// `hidden` (a checkpoint's, inside a run folder).
        package init(beside destination: URL, hidden: Bool = false) throws {
            self.destination = destination
            let parent = destination.deletingLastPathComponent()
            do { try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true) } catch {
                throw StagedWriteError(path: destination.path, reason: "cannot create its parent folder (\(StagedWrite.reason(error)))")
            }
            let prefix = parent.appendingPathComponent((hidden ? "." : "") + destination.lastPathComponent + ".partial-").path
            for _ in 0..<100 {
                let path = try StagedWrite.unusedPath(prefix)
                if mkdir(path, 0o777) == 0 {
                    staging = URL(fileURLWithPath: path)
                    return
                }
                if errno != EEXIST { break }
            }
            throw StagedWriteError(path: destination.path, reason: "cannot create a staging folder: \(SystemErrorText.current())")
        }

        /// Syncs the staged files and renames the folder to the destination. A folder already there is
        /// refused unless `replacing`; then it is moved aside to `DIR.replaced-XXXXXX` and removed once the
        /// new one is in place, or put back if the rename fails, so no failure leaves one behind.
        package func commit(replacing: Bool) throws {
            StagedWrite.syncFiles(in: staging)
            let path = destination.path
            var info = stat()
            guard lstat(path, &info) == 0 else {
                try move(staging.path, to: path)
                isCommitted = true
                StagedWrite.syncFolder(destination.deletingLastPathComponent())
                return
            }
            guard replacing else { throw StagedWriteError(path: path, reason: "something is already there") }
            let aside = try StagedWrite.unusedPath(path + ".replaced-")
            try move(path, to: aside)
            do {
                try move(staging.path, to: path)
            } catch {
                _ = rename(aside, path)
                throw error
            }
            isCommitted = true
            StagedWrite.syncFolder(destination.deletingLastPathComponent())
            try? FileManager.default.removeItem(atPath: aside)
        }

        /// Syncs the staged files and renames each into `folder` (which must exist), over its old version,
        /// the file named `last` last (the weights: their presence says the rest is complete).
        package func commitFiles(into folder: URL, last: String) throws {
            StagedWrite.syncFiles(in: staging)
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: staging.path)) ?? []).sorted()
            for name in names.filter({ $0 != last }) + names.filter({ $0 == last }) {
                try move(staging.appendingPathComponent(name).path, to: folder.appendingPathComponent(name).path)
            }
            StagedWrite.syncFolder(folder)
            discard()
        }

        /// Removes the staging folder unless it was committed.
        package func discard() {
            if !isCommitted { try? FileManager.default.removeItem(at: staging) }
        }

        deinit { discard() }

        private func move(_ source: String, to target: String) throws {
            guard rename(source, target) == 0 else {
                throw StagedWriteError(path: destination.path, reason: "rename \(source) to \(target): \(SystemErrorText.current())")
            }
        }
    }

    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    /// `prefix` and six random characters, naming nothing yet.
    static func unusedPath(_ prefix: String) throws -> String {
        for _ in 0..<100 {
            let path = prefix + String((0..<6).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
            var info = stat()
            if lstat(path, &info) != 0 { return path }
        }
        throw StagedWriteError(path: prefix, reason: "no free temporary name")
    }

    /// fsync of every regular file under `folder` (their data reaches the disk before the rename says they are complete).
    static func syncFiles(in folder: URL) {
        guard let names = FileManager.default.enumerator(atPath: folder.path) else { return }
        while let name = names.nextObject() as? String {
            let fd = open(folder.appendingPathComponent(name).path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            guard fd >= 0 else { continue }
            var info = stat()
            if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG { fsync(fd) }
            close(fd)
        }
    }

    /// fsync of a folder, so a rename in it is on disk.
    static func syncFolder(_ folder: URL) {
        let fd = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    /// The phrase for a Foundation file error.
    static func reason(_ error: Error) -> String {
        if let error = error as? StagedWriteError { return error.reason }
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return SystemErrorText.describe(Int32(truncatingIfNeeded: underlying.code))
        }
        return nsError.localizedDescription
    }
}

/// A staged write that failed: where, and why (the destination is as it was).
package struct StagedWriteError: Error, CustomStringConvertible, Equatable {
    package let path: String
    package let reason: String

    package init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    package var description: String { "cannot write \(path): \(reason)" }
}
