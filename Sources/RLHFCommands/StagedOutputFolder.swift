import Foundation
import Storage

/// A folder written under a temporary sibling name (`DIR.partial-` and six random characters) and renamed
/// to `DIR` only once complete, so a failed or interrupted write never leaves a folder at `DIR` that looks
/// finished. A folder already at `DIR` (which the output rule allowed to be replaced) is moved aside to
/// `DIR.replaced-XXXXXX` and removed once the new one is in place, or put back if the rename fails: no
/// failure leaves a `*.replaced-*` folder behind.
final class StagedOutputFolder {
    /// The rule the destination was checked under.
    let rule: OutputFolder
    /// Where the folder ends up (symbolic links resolved).
    let destination: URL
    /// Where it is written meanwhile.
    let staging: URL
    private var isCommitted = false

    /// Creates the staging folder beside the destination, creating missing parent folders.
    init(rule: OutputFolder) throws {
        self.rule = rule
        destination = URL(fileURLWithPath: rule.resolvedPath)
        let parent = destination.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw OutputRuleError.cannotWrite(flag: rule.flag, path: rule.path,
                                              reason: "cannot create its parent folder (\(OutputFolder.reason(error)))")
        }
        staging = try Self.makeTemporaryFolder(prefix: destination.path + ".partial-", rule: rule)
    }

    /// Marks the staging folder as the command's and renames it to the destination, after checking the
    /// destination once more (something may have appeared there meanwhile).
    func commit() throws {
        do { try OutputFolder.writeMarker(command: rule.command, in: staging) } catch {
            throw OutputRuleError.cannotWrite(flag: rule.flag, path: rule.path, reason: OutputFolder.reason(error))
        }
        let finding = try rule.check(replacing: true)
        let path = destination.path
        if finding == .missing {
            try rename(staging.path, to: path)
            isCommitted = true
            return
        }
        let aside = try Self.unusedName(prefix: path + ".replaced-", rule: rule)
        try rename(path, to: aside)
        do {
            try rename(staging.path, to: path)
        } catch {
            _ = Foundation.rename(aside, path)
            throw error
        }
        isCommitted = true
        try? FileManager.default.removeItem(atPath: aside)
    }

    /// Removes the staging folder unless it was committed.
    func discard() {
        if !isCommitted { try? FileManager.default.removeItem(at: staging) }
    }

    private func rename(_ source: String, to target: String) throws {
        guard Foundation.rename(source, target) == 0 else {
            throw OutputRuleError.cannotWrite(flag: rule.flag, path: rule.path,
                                              reason: "rename \(source) to \(target): \(SystemErrorText.describe(errno))")
        }
    }

    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    /// A name `prefix` + six random characters that nothing has.
    private static func unusedName(prefix: String, rule: OutputFolder) throws -> String {
        for _ in 0..<100 {
            let path = prefix + String((0..<6).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
            if FileKind.of(path) == .missing { return path }
        }
        throw OutputRuleError.cannotWrite(flag: rule.flag, path: rule.path, reason: "no free temporary name beside it")
    }

    /// A new empty folder named `prefix` and six random characters, made with the usual permissions
    /// (`mkdir` 0777 less the umask; `mkdtemp` would make it private to the user).
    private static func makeTemporaryFolder(prefix: String, rule: OutputFolder) throws -> URL {
        for _ in 0..<100 {
            let path = prefix + String((0..<6).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
            if mkdir(path, 0o777) == 0 { return URL(fileURLWithPath: path) }
            if errno != EEXIST { break }
        }
        throw OutputRuleError.cannotWrite(flag: rule.flag, path: rule.path, reason: SystemErrorText.describe(errno))
    }
}
