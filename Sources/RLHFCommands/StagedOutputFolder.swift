import Foundation
import Storage

/// A folder a command writes whole under the output rule: staged beside the destination
/// (`StagedWrite.Folder`) and renamed into place by `commit()` after the rule is checked once more
/// (something may have appeared there meanwhile). A folder already there, which the rule allowed to be
/// replaced, is moved aside and removed once the new one is in place, or put back on failure.
final class StagedOutputFolder {
    /// The rule the destination was checked under.
    let rule: OutputFolder
    private let folder: StagedWrite.Folder

    /// Creates the staging folder beside the destination (symbolic links resolved).
    init(rule: OutputFolder) throws {
        self.rule = rule
        do { folder = try StagedWrite.Folder(beside: URL(fileURLWithPath: rule.resolvedPath)) } catch let error as StagedWriteError {
            throw OutputRuleError.cannotWrite(flag: rule.flag, path: rule.path, reason: error.reason)
        }
    }

    /// Where the folder is written meanwhile.
    var staging: URL { folder.staging }

    /// Marks the staging folder as the command's and renames it to the destination.
    func commit() throws {
        do { try OutputFolder.writeMarker(command: rule.command, in: staging) } catch {
            throw OutputRuleError.cannotWrite(flag: rule.flag, path: rule.path, reason: OutputFolder.reason(error))
        }
        _ = try rule.check(replacing: true)
        do { try folder.commit(replacing: true) } catch let error as StagedWriteError {
            throw OutputRuleError.cannotWrite(flag: rule.flag, path: rule.path, reason: error.reason)
        }
    }

    /// Removes the staging folder unless it was committed.
    func discard() { folder.discard() }
}
