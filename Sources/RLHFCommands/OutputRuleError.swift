/// Why the output rule refused a folder (or a file) a command was asked to write, naming the flag the user
/// typed and what to do instead.
enum OutputRuleError: Error, CustomStringConvertible, Equatable {
    /// The flag's value is empty.
    case unnamed(flag: String)
    /// Something other than what the command writes is at the path (a file where a folder goes, a FIFO).
    case wrongKind(flag: String, path: String, found: String, expected: String)
    /// The folder holds one of the command's inputs.
    case holdsInput(flag: String, path: String, input: String)
    /// The path is one of the command's inputs, or lies inside an input folder.
    case isInput(flag: String, path: String, input: String)
    /// The folder is the current folder or holds it.
    case holdsWorkingFolder(flag: String, path: String)
    /// The folder holds files this command did not write, and `--force` was not given.
    case notOurs(flag: String, path: String, entries: [String], command: String)
    /// The folder holds a run and neither `--resume` nor `--force` was given.
    case holdsRun(flag: String, path: String, file: String, resumeHint: String)
    /// The folder or file cannot be created, written or renamed into place.
    case cannotWrite(flag: String, path: String, reason: String)

    var description: String {
        switch self {
        case .unnamed(let flag):
            return "\(flag) is empty; name the \(flag == "--to" ? "folder" : "output")"
        case let .wrongKind(flag, path, found, expected):
            return "\(flag) \(path) is \(found), not \(expected); choose another \(flag)"
        case let .holdsInput(flag, path, input):
            return "\(flag) \(path) holds the input \(input); choose a folder outside it (--force never replaces an input)"
        case let .isInput(flag, path, input):
            return "\(flag) \(path) would overwrite the input \(input); choose another \(flag)"
        case let .holdsWorkingFolder(flag, path):
            return "\(flag) \(path) is the current folder or holds it; choose another folder"
        case let .notOurs(flag, path, entries, command):
            let shown = entries.prefix(3).joined(separator: ", ") + (entries.count > 3 ? ", ..." : "")
            return "\(flag) \(path) is not empty and was not written by rlhf \(command) (it holds \(shown)); choose another folder, or pass --force to replace it"
        case let .holdsRun(flag, path, file, resumeHint):
            return "\(flag) \(path) already holds a run (\(file)); \(resumeHint), pass --force to start over, or choose another folder"
        case let .cannotWrite(flag, path, reason):
            return "\(flag) \(path): cannot write: \(reason)"
        }
    }
}
