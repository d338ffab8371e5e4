import Foundation

/// Why an output file was refused or could not be written.
enum OutputFileError: Error, CustomStringConvertible, Equatable {
    /// The output path is one of the command's inputs (or lies inside an input folder).
    case isInput(flag: String, path: String, inputFlag: String)
    /// The output path is a folder.
    case isFolder(flag: String, path: String)
    /// The file could not be written or renamed into place.
    case cannotWrite(flag: String, path: String, reason: String)

    var description: String {
        switch self {
        case let .isInput(flag, path, inputFlag):
            "\(flag) \(path) would overwrite the input \(inputFlag); choose another file"
        case let .isFolder(flag, path):
            "\(flag) \(path) is a folder; name a file"
        case let .cannotWrite(flag, path, reason):
            "\(flag) \(path): cannot write: \(reason)"
        }
    }
}

/// A result file written whole or not at all: into a hidden temporary sibling (`.NAME.partial-PID`), then
/// renamed over the path, so a kill or a full disk never leaves half a file; never one of the inputs.
struct OutputFile {
    /// The path written.
    let path: String
    /// The flag that named it, for errors.
    let flag: String

    /// Checks, before any work is done, that `path` is no folder, would not replace one of `inputs` (flag,
    /// path) nor a file inside an input folder, and that its folder exists. A new file inside an input
    /// folder replaces nothing and is allowed.
    init(path: String, flag: String, protecting inputs: [(flag: String, path: String)]) throws {
        self.path = path
        self.flag = flag
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw OutputFileError.isFolder(flag: flag, path: path)
        }
        let exists = FileManager.default.fileExists(atPath: path)
        for input in inputs where exists && PathContainment.folder(input.path, holds: path) {
            throw OutputFileError.isInput(flag: flag, path: path, inputFlag: "\(input.flag) \(input.path)")
        }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isFolder), isFolder.boolValue else {
            throw OutputFileError.cannotWrite(flag: flag, path: path, reason: "no folder \(parent)")
        }
    }

    /// Writes `text` to a temporary sibling and renames it over `path`.
    func write(_ text: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())")
        do {
            try Foundation.Data(text.utf8).write(to: temporary)
            guard rename(temporary.path, url.path) == 0 else {
                throw OutputFileError.cannotWrite(flag: flag, path: path, reason: SystemErrorText.describe(errno))
            }
        } catch let error as OutputFileError {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw OutputFileError.cannotWrite(flag: flag, path: path, reason: (error as NSError).localizedDescription)
        }
    }
}
