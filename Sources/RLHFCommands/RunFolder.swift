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
        try JSONLRewind.keep(url, where: { object in
            guard let n = (object["iteration"] as? NSNumber)?.doubleValue else { return false }
            return n < Double(iteration)
        }, cannotWrite: { PPOCheckpointError.cannotWrite(file: $0, reason: $1) })
    }
}
