import Foundation
import RunLogs

/// The folder of a PPO run: what a run leaves in it, and how a resumed run rewinds its JSON Lines logs to
/// the checkpoint it continues from.
public enum PPORunFolder {
    /// The files of a run that a new run must not append to.
    public static let runFiles = ["metrics.jsonl", "samples.jsonl", "checkpoints"]

    /// Rewrites the JSONL file `url` (if present) keeping only the lines whose `iteration` is below
    /// `iteration`: the lines a resumed run would otherwise repeat. The new file replaces the old one
    /// atomically.
    public static func rewind(_ url: URL, toIterationsBelow iteration: Int) throws {
        try JSONLRewind.keep(url, where: { object in
            guard let n = (object["iteration"] as? NSNumber)?.doubleValue else { return false }
            return n < Double(iteration)
        }, cannotWrite: { PPOCheckpointError.cannotWrite(file: $0, reason: $1) })
    }
}
