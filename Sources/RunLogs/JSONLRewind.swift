import Foundation
import Storage

/// Rewinds a run's JSONL log for a resumed run: the file is rewritten with only the lines `keep` accepts
/// (a line cut short by a kill is not valid JSON and is dropped), streamed line by line into a temporary
/// sibling renamed over it, so the log is never half-written and its size never costs memory.
package enum JSONLRewind {
    /// The longest line a run's log may hold (its lines are one iteration's or step's metrics).
    package static let maximumLineBytes = 1 << 20

    /// Checks, without changing it, that `url` (if present) can be rewound: a regular file whose lines are
    /// at most `maximumLineBytes`; run before a resumed run loads anything.
    package static func check(_ url: URL) throws {
        guard let reader = try open(url) else { return }
        do { while try reader.nextLine() != nil {} } catch {
            throw RunLogError(file: url.path, reason: "\(error)")
        }
    }

    /// Rewrites `url` (if present) keeping the lines whose object `keep` accepts; a failure to write is
    /// the error `cannotWrite(path, reason)` makes.
    package static func keep(_ url: URL, where keep: ([String: Any]) -> Bool,
                     cannotWrite: (_ file: String, _ reason: String) -> Error) throws {
        guard let reader = try open(url) else { return }
        do {
            try StagedWrite.file(url) { handle in
                while let line = try reader.nextLine() {
                    guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], keep(object) else { continue }
                    try handle.write(contentsOf: Data((line + "\n").utf8))
                }
            }
        } catch let error as DataFileError {
            throw RunLogError(file: url.path, reason: error.reason)
        } catch let error as StagedWriteError {
            throw cannotWrite(url.path, error.reason)
        }
    }

    /// A reader over `url`, nil when there is no file; anything but a regular file is refused.
    private static func open(_ url: URL) throws -> LineReader? {
        let kind = FileKind.following(url.path)
        if kind == .missing { return nil }
        guard kind == .regular else {
            throw RunLogError(file: url.path, reason: "is \(kind.phrase), not the run's log file")
        }
        do { return try LineReader(path: url.path, maximumLineBytes: maximumLineBytes) } catch {
            throw RunLogError(file: url.path, reason: "\(error)")
        }
    }
}

/// A run's log that cannot be read back for a resumed run: the file and why.
package struct RunLogError: Error, CustomStringConvertible, Equatable {
    /// The log file.
    package let file: String
    /// What is wrong.
    package let reason: String

    package init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }

    package var description: String { "\(file): cannot read the run's log: \(reason)" }
}
