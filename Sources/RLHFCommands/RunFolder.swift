import Cluster
import Foundation

/// The output folder of a training run: a new run refuses a folder that already holds one (so nothing
/// is overwritten), and a resumed run rewinds its JSONL logs to the checkpoint it continues from.
enum RunFolder {
    /// The files of a run that a new run must not append to.
    static let runFiles = ["metrics.jsonl", "samples.jsonl", "checkpoints"]

    /// Throws when `output` already holds a run.
    static func checkFresh(_ output: URL) throws {
        for name in runFiles where FileManager.default.fileExists(atPath: output.appendingPathComponent(name).path) {
            throw CommandInputError.flags("--output \(output.path) already holds a run (\(name)); pass --resume to continue it, or choose another folder")
        }
    }

    /// Rewrites the JSONL file `url` (if present) keeping only the lines whose `iteration` is below
    /// `iteration`: the lines a resumed run would otherwise repeat. The new file replaces the old one
    /// atomically.
    static func rewind(_ url: URL, toIterationsBelow iteration: Int) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw CommandInputError.unreadable(flag: "--output", path: url.path, reason: (error as NSError).localizedDescription)
        }
        var kept = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            // a line cut short by a kill has no closing brace and no valid iteration: dropped
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let n = (object["iteration"] as? NSNumber)?.doubleValue, n < Double(iteration) else { continue }
            kept += line + "\n"
        }
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).rewind")
        do {
            try Data(kept.utf8).write(to: temporary)
            guard rename(temporary.path, url.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw PPOCheckpointError.cannotWrite(file: url.path, reason: (error as NSError).localizedDescription)
        }
    }
}
