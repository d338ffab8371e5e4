import Foundation

/// A folder that is written under a temporary sibling name (`DIR.partial-` and six random characters) and renamed to `DIR`
/// only once complete, so a failed or interrupted write never leaves a folder at `DIR` that looks finished.
final class StagedFolder {
    /// Where the folder ends up.
    let destination: URL
    /// Where it is written meanwhile.
    let staging: URL
    private var isCommitted = false

    /// Creates the staging folder beside `destination`, creating missing parent folders.
    init(destination: URL) throws {
        self.destination = destination
        let parent = destination.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw ConvertError.cannotWrite(destination.path, reason: "cannot create its parent folder (\(Self.reason(error)))")
        }
        staging = try Self.makeTemporaryFolder(prefix: destination.path + ".partial-", for: destination)
    }

    /// Renames the staging folder to the destination. A folder already at the destination (empty, or to be
    /// replaced) is first moved aside and removed once the new one is in place; it is put back on failure.
    func commit() throws {
        let path = destination.path
        guard FileManager.default.fileExists(atPath: path) else {
            try rename(staging.path, to: path)
            isCommitted = true
            return
        }
        let aside = try Self.makeTemporaryFolder(prefix: path + ".replaced-", for: destination)
        try rename(path, to: aside.path)
        do {
            try rename(staging.path, to: path)
        } catch {
            _ = Foundation.rename(aside.path, path)
            throw error
        }
        isCommitted = true
        try? FileManager.default.removeItem(at: aside)
    }

    /// Removes the staging folder unless it was committed.
    func discard() {
        if !isCommitted { try? FileManager.default.removeItem(at: staging) }
    }

    private func rename(_ source: String, to target: String) throws {
        guard Foundation.rename(source, target) == 0 else {
            throw ConvertError.cannotWrite(destination.path, reason: "rename \(source) to \(target): \(String(cString: strerror(errno)))")
        }
    }

    /// A new empty folder named `prefix` and six random characters, made with the usual permissions
    /// (`mkdir` 0777 less the umask; `mkdtemp` would make it private to the user).
    private static func makeTemporaryFolder(prefix: String, for destination: URL) throws -> URL {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        for _ in 0..<100 {
            let path = prefix + String((0..<6).map { _ in alphabet.randomElement()! })
            if mkdir(path, 0o777) == 0 { return URL(fileURLWithPath: path) }
            if errno != EEXIST { break }
        }
        throw ConvertError.cannotWrite(destination.path, reason: String(cString: strerror(errno)))
    }

    private static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return nsError.localizedDescription
    }
}
