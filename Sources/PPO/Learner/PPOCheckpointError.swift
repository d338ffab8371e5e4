/// A checkpoint that cannot be written, found or resumed from: what and where, in one line.
public struct PPOCheckpointError: Error, Equatable, CustomStringConvertible {
    /// What went wrong, with its details: package-internal, so that cases can be added without breaking users.
    package enum Code: Equatable, Sendable {
        /// `--resume` in a folder without a complete checkpoint.
        case noCheckpoint(folder: String)
        /// A checkpoint file that is missing, unreadable or malformed.
        case unreadable(file: String, reason: String)
        /// A checkpoint of another run (a different seed, batch size, policy or layout).
        case mismatch(file: String, what: String)
        /// Writing the checkpoint failed (nothing replaced the last good one).
        case cannotWrite(file: String, reason: String)
    }

    /// What went wrong.
    package let code: Code

    /// The error of `code`.
    package init(_ code: Code) { self.code = code }

    /// `--resume` in a folder without a complete checkpoint.
    public static func noCheckpoint(folder: String) -> PPOCheckpointError { PPOCheckpointError(.noCheckpoint(folder: folder)) }
    /// A checkpoint file that is missing, unreadable or malformed.
    public static func unreadable(file: String, reason: String) -> PPOCheckpointError { PPOCheckpointError(.unreadable(file: file, reason: reason)) }
    /// A checkpoint of another run (a different seed, batch size, policy or layout).
    public static func mismatch(file: String, what: String) -> PPOCheckpointError { PPOCheckpointError(.mismatch(file: file, what: what)) }
    /// Writing the checkpoint failed (nothing replaced the last good one).
    public static func cannotWrite(file: String, reason: String) -> PPOCheckpointError { PPOCheckpointError(.cannotWrite(file: file, reason: reason)) }

    /// The message: one line that says what is wrong and where.
    public var description: String {
        switch code {
        case let .noCheckpoint(folder): "\(folder): no checkpoint to resume from (checkpoints/iteration-N/ is written every save_every iterations)"
        case let .unreadable(file, reason): "\(file): \(reason)"
        case let .mismatch(file, what): "\(file): this checkpoint is of another run: \(what)"
        case let .cannotWrite(file, reason): "cannot write the checkpoint \(file): \(reason)"
        }
    }
}
