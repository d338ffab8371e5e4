import Foundation
import Storage

/// A result file (`rlhf pairs --output`) under the output rule: written whole or not at all, into a hidden
/// temporary sibling (`.NAME.partial-XXXXXX`, through `StagedWrite`) that is synced and renamed over the path, so a kill or a full
/// disk never leaves half a file. Only a regular file is ever replaced: a folder, FIFO, socket or device at
/// the path is refused, a symbolic link is written through to the file it names, and never one of the
/// command's inputs or a file inside an input folder.
struct OutputFile {
    /// The path as given.
    let path: String
    /// The flag that named it, for errors.
    let flag: String
    /// The file written: `path` with symbolic links resolved.
    let target: String

    /// Checks, before any work is done, that `path` is a regular file or nothing, would not replace one of
    /// `inputs` (or a path on the command line) nor a file inside an input folder, and that its folder
    /// exists. A new file inside an input folder replaces nothing and is allowed.
    init(path: String, flag: String, protecting inputs: [InputPath]) throws {
        self.path = path
        self.flag = flag
        guard !path.isEmpty else { throw OutputRuleError.unnamed(flag: flag) }
        let kind = FileKind.following(path)
        if kind == .missing && FileKind.of(path) == .symbolicLink {
            throw OutputRuleError.wrongKind(flag: flag, path: path, found: "a symbolic link to nothing", expected: "a regular file")
        }
        guard kind == .missing || kind == .regular else {
            throw OutputRuleError.wrongKind(flag: flag, path: path, found: kind.phrase, expected: "a regular file")
        }
        target = kind == .missing ? path : PathContainment.resolved(path)
        if kind == .regular {
            for input in inputs + InputPath.onCommandLine(outputFlags: [flag]) where PathContainment.folder(input.path, holds: target) {
                throw OutputRuleError.isInput(flag: flag, path: path, input: input.described)
            }
        }
        let parent = URL(fileURLWithPath: target).deletingLastPathComponent().path
        guard FileKind.following(parent) == .folder else {
            throw OutputRuleError.cannotWrite(flag: flag, path: path, reason: "no folder \(parent)")
        }
    }

    /// Writes `text` to a temporary sibling, syncs it and renames it over the file (checked again first).
    func write(_ text: String) throws {
        do {
            try StagedWrite.file(URL(fileURLWithPath: target), contents: Data(text.utf8)) {
                let kind = FileKind.of(target)
                guard kind == .missing || kind == .regular else {
                    throw OutputRuleError.wrongKind(flag: flag, path: path, found: kind.phrase, expected: "a regular file")
                }
            }
        } catch let error as StagedWriteError {
            throw OutputRuleError.cannotWrite(flag: flag, path: path, reason: error.reason)
        }
    }
}
