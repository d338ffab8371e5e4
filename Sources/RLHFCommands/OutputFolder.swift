import Foundation
import ModelIO
import Storage

/// The one output rule for a folder a command writes (`--output`, `--to`):
/// - a command writes into a folder it creates, an empty one, or one it wrote before (its marker file,
///   `.rlhf-output.json`, names the command; a run folder is also known by its run files);
/// - it never replaces or writes into a folder that holds anything else unless `--force` is given, and even
///   then never one that holds an input, lies inside an input folder, or holds the current folder;
/// - what is at the path must be a folder (a file, FIFO or device there is refused);
/// - errors name the flag the user typed.
/// Inputs are what the command lists plus every path on its command line (`InputPath.onCommandLine`).
struct OutputFolder {
    /// The name of the marker file a command leaves in the folders it writes.
    static let markerName = ".rlhf-output.json"

    /// The flag that named the folder (`--output`, `--to`).
    let flag: String
    /// The path as given.
    let path: String
    /// The command that writes it, as the marker records it (`dpo`, `reward train`).
    let command: String
    /// Commands whose folders this one may write into as its own (`rlhf learner` writes into the folder
    /// `rlhf launch` made for it).
    let family: Set<String>
    /// Whether `--force` was given.
    let force: Bool
    /// Everything the command reads.
    let inputs: [InputPath]
    /// The files a run of this command leaves (a name ending in `*` is a prefix): a folder holding one is
    /// the command's by its run state, even without a marker (a run folder written before markers existed).
    let runFiles: [String]

    /// The rule for `path`, named by `flag`, written by `command`; `inputs` are added to the command line's paths.
    init(_ path: String, flag: String, command: String, family: Set<String> = [], force: Bool, inputs: [InputPath],
         runFiles: [String] = []) {
        self.flag = flag
        self.path = path
        self.command = command
        self.family = family.union([command])
        self.force = force
        self.inputs = inputs + InputPath.onCommandLine(outputFlags: [flag])
        self.runFiles = runFiles
    }

    /// The first of `entries` that is a run file.
    func runFile(among entries: [String]) -> String? {
        entries.first { name in runFiles.contains { $0.hasSuffix("*") ? name.hasPrefix($0.dropLast()) : name == $0 } }
    }

    /// What the folder holds now.
    enum Finding: Equatable {
        /// Nothing is there (a new folder will be made).
        case missing
        /// An empty folder.
        case empty
        /// A folder this command (or its family) wrote.
        case ours
        /// A folder with other files in it (a sample of their names).
        case foreign([String])
    }

    /// The folder's path with symbolic links resolved, so a link to a folder is written through, never replaced.
    var resolvedPath: String { FileKind.of(path) == .missing ? path : PathContainment.resolved(path) }

    /// Looks at the folder and checks what may never be written over: it must be a folder (or missing), a
    /// foreign one needs `--force`, and a folder that will be replaced (a foreign one, or any when
    /// `replacing`: the command renames a new folder over it) must hold no input and no current folder,
    /// and a foreign one must not lie inside an input folder.
    func check(replacing replacesWhole: Bool) throws(OutputRuleError) -> Finding {
        guard !path.isEmpty else { throw .unnamed(flag: flag) }
        let kind = FileKind.following(path)
        if kind == .missing {
            if FileKind.of(path) == .symbolicLink {
                throw .wrongKind(flag: flag, path: path, found: "a symbolic link to nothing", expected: "a folder")
            }
            return .missing
        }
        guard kind == .folder else { throw .wrongKind(flag: flag, path: path, found: kind.phrase, expected: "a folder") }
        let entries: [String]
        do { entries = try FileManager.default.contentsOfDirectory(atPath: path).sorted() } catch {
            throw .cannotWrite(flag: flag, path: path, reason: "cannot list the folder")
        }
        let finding: Finding
        if entries.isEmpty {
            finding = .empty
        } else if let marker = Self.marker(in: path), family.contains(marker) {
            finding = .ours
        } else if runFile(among: entries) != nil && Self.marker(in: path) == nil {
            finding = .ours
        } else {
            finding = .foreign(entries.filter { $0 != Self.markerName })
        }
        let replaced: Bool
        switch finding {
        case .missing: replaced = false
        case .empty, .ours: replaced = replacesWhole
        case .foreign(let names):
            guard force else { throw .notOurs(flag: flag, path: path, entries: names, command: command) }
            replaced = true
        }
        guard replaced else { return finding }
        try checkNotHoldingInputs()
        if finding != .ours, let input = inputs.first(where: { PathContainment.folder($0.path, holds: path) }) {
            throw .isInput(flag: flag, path: path, input: input.described)
        }
        return finding
    }

    /// Throws when the folder holds an input or the current folder (or is the file system's root).
    func checkNotHoldingInputs() throws(OutputRuleError) {
        if let input = inputs.first(where: { PathContainment.folder(path, holds: $0.path) }) {
            throw .holdsInput(flag: flag, path: path, input: input.described)
        }
        if PathContainment.folder(path, holds: FileManager.default.currentDirectoryPath) {
            throw .holdsWorkingFolder(flag: flag, path: path)
        }
    }

    /// The command named by the marker file in `folder`, if it has one that reads as a marker.
    static func marker(in folder: String) -> String? {
        let url = URL(fileURLWithPath: folder).appendingPathComponent(markerName)
        guard let data = try? SideFile.read(url.path, limit: SideFile.Limit.modelConfig, what: "a marker file"),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object["command"] as? String
    }

    /// Writes the marker naming `command` into `folder`.
    static func writeMarker(command: String, in folder: URL) throws {
        let text = "{\"command\": \"\(command)\", \"written_by\": \"rlhf \(RLHFCommand.configuration.version)\"}\n"
        try StagedWrite.file(folder.appendingPathComponent(markerName), contents: Data(text.utf8))
    }

    /// A staging folder for a command that writes its folder whole: checked now, written beside the
    /// destination, and renamed into place by `commit()`.
    func stage() throws -> StagedOutputFolder {
        _ = try check(replacing: true)
        return try StagedOutputFolder(rule: self)
    }

    /// Makes the folder ready for a run written in place (metrics, checkpoints): a new run gets a missing
    /// or empty folder, or one of its family without run files, marked as its own; one
    /// that holds a run is refused unless `--force` (then it is replaced by an empty one). `resume` leaves
    /// the folder as it is: the checkpoint decides.
    @discardableResult
    func prepareRun(resume: Bool, resumeHint: String) throws -> RunFolderClaim {
        let folder = URL(fileURLWithPath: resolvedPath)
        if resume { return RunFolderClaim(folder: folder, created: false, fresh: false) }
        let finding = try check(replacing: false)
        let runFile = runFile(among: ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted())
        switch finding {
        case .missing:
            do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
                throw OutputRuleError.cannotWrite(flag: flag, path: path, reason: Self.reason(error))
            }
        case .empty:
            break
        case .ours where runFile == nil:
            break
        case .ours, .foreign:
            if case .ours = finding, !force, let runFile {
                throw OutputRuleError.holdsRun(flag: flag, path: path, file: runFile, resumeHint: resumeHint)
            }
            _ = try check(replacing: true)
            let staged = try StagedOutputFolder(rule: self)
            defer { staged.discard() }
            try staged.commit()
            return RunFolderClaim(folder: folder, created: false, fresh: true)
        }
        do { try Self.writeMarker(command: command, in: folder) } catch {
            throw OutputRuleError.cannotWrite(flag: flag, path: path, reason: Self.reason(error))
        }
        return RunFolderClaim(folder: folder, created: finding == .missing, fresh: true)
    }

    /// The phrase for a Foundation file error.
    static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return SystemErrorText.describe(Int32(truncatingIfNeeded: underlying.code))
        }
        return nsError.localizedDescription
    }
}
