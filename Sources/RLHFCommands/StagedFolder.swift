import Foundation

/// A folder that is written under a temporary sibling name (`DIR.partial-` and six random characters) and renamed to `DIR`
/// only once complete, so a failed or interrupted write never leaves a folder at `DIR` that looks finished.
/// It removes only what it created, and the folder it replaces, which must hold none of the `protected`
/// paths (the conversion's inputs) nor the working folder.
final class StagedFolder {
    /// Where the folder ends up.
    let destination: URL
    /// Where it is written meanwhile.
    let staging: URL
    /// Paths that must survive: a destination holding one is never replaced.
    let protected: [String]
    private var isCommitted = false

    /// Creates the staging folder beside `destination`, creating missing parent folders.
    init(destination: URL, protecting protected: [String] = []) throws {
        guard !destination.path.isEmpty else { throw ConvertError.destinationUnnamed }
        self.destination = destination
        self.protected = protected
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
        if let input = protected.first(where: { PathContainment.folder(path, holds: $0) }) {
            throw ConvertError.destinationHoldsInput(path, input: input)
        }
        if PathContainment.folder(path, holds: FileManager.default.currentDirectoryPath) {
            throw ConvertError.destinationHoldsWorkingFolder(path)
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
            throw ConvertError.cannotWrite(destination.path, reason: "rename \(source) to \(target): \(SystemErrorText.describe(errno))")
        }
    }

    /// A new empty folder named `prefix` and six random characters, made with the usual permissions
    /// (`mkdir` 0777 less the umask; `mkdtemp` would make it private to the user).
    private static func makeTemporaryFolder(prefix: String, for destination: URL) throws -> URL {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        for _ in 0..<100 {
            let path = prefix + String((0..<6).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
            if mkdir(path, 0o777) == 0 { return URL(fileURLWithPath: path) }
            if errno != EEXIST { break }
        }
        throw ConvertError.cannotWrite(destination.path, reason: SystemErrorText.describe(errno))
    }

    private static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return SystemErrorText.describe(Int32(truncatingIfNeeded: underlying.code))
        }
        return nsError.localizedDescription
    }
}
