import Foundation

/// Rewinds a run's JSONL log for a resumed run: the file is rewritten with only the lines `keep` accepts
/// (a line cut short by a kill is not valid JSON and is dropped), through a temporary sibling renamed
/// over it, so the log is never half-written.
enum JSONLRewind {
    /// Rewrites `url` (if present) keeping the lines whose object `keep` accepts; a failure to write is
    /// the error `cannotWrite(path, reason)` makes.
    static func keep(_ url: URL, where keep: ([String: Any]) -> Bool,
                     cannotWrite: (_ file: String, _ reason: String) -> Error) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw CommandInputError.unreadable(flag: "--output", path: url.path, reason: (error as NSError).localizedDescription)
        }
        var kept = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], keep(object) else { continue }
            kept += line + "\n"
        }
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).rewind")
        do {
            try Data(kept.utf8).write(to: temporary)
            guard rename(temporary.path, url.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw cannotWrite(url.path, (error as NSError).localizedDescription)
        }
    }
}
