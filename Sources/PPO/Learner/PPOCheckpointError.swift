/// A checkpoint that cannot be written, found or resumed from: what and where, in one line.
public enum PPOCheckpointError: Error, Equatable, CustomStringConvertible {
    /// `--resume` in a folder without a complete checkpoint.
    case noCheckpoint(folder: String)
    /// A checkpoint file that is missing, unreadable or malformed.
    case unreadable(file: String, reason: String)
    /// A checkpoint of another run (a different seed, batch size, policy or layout).
    case mismatch(file: String, what: String)
    /// Writing the checkpoint failed (nothing replaced the last good one).
    case cannotWrite(file: String, reason: String)

    public var description: String {
        switch self {
        case let .noCheckpoint(folder): "\(folder): no checkpoint to resume from (checkpoints/iteration-N/ is written every save_every iterations)"
        case let .unreadable(file, reason): "\(file): \(reason)"
        case let .mismatch(file, what): "\(file): this checkpoint is of another run: \(what)"
        case let .cannotWrite(file, reason): "cannot write the checkpoint \(file): \(reason)"
        }
    }
}
