import Foundation

/// Something a command reads, and the flag (or config key) that named it: no output may replace it.
struct InputPath: Equatable, Sendable {
    /// The flag as the user typed it (`--tokenizer`), or where the path came from (`policy.model in --config`).
    let flag: String
    /// The path as given.
    let path: String

    init(_ flag: String, _ path: String) {
        self.flag = flag
        self.path = path
    }

    /// `flag path`, for messages.
    var described: String { "\(flag) \(path)" }

    /// Every argument of `arguments` (by default this process's command line) that names an existing file
    /// or folder, with the flag before it; the value of a `key=value` argument (`--set policy.model=DIR`)
    /// counts too. Values of `outputFlags` are left out. This is the rule's safety net: whatever flag a
    /// path came in by, an output never replaces it, even where a command forgets to list it.
    static func onCommandLine(_ arguments: [String] = CommandLine.arguments, outputFlags: Set<String>) -> [InputPath] {
        var found: [InputPath] = []
        var previous = ""
        for argument in arguments.dropFirst() {
            defer { previous = argument }
            if outputFlags.contains(previous) || argument.hasPrefix("--") && !argument.contains("=") { continue }
            var candidates = [argument]
            if let equals = argument.firstIndex(of: "=") { candidates.append(String(argument[argument.index(after: equals)...])) }
            for candidate in candidates where !candidate.isEmpty && candidate.utf8.count < 4096 && Self.exists(candidate) {
                let flag = previous.hasPrefix("--") ? previous : "the argument"
                let value = candidate == argument ? argument : String(argument.prefix { $0 != "=" })
                found.append(InputPath(candidate == argument ? flag : "\(flag) \(value)", candidate))
            }
        }
        return found
    }

    /// Whether anything (a file, folder, link or special file) is at `path`.
    private static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }
}
