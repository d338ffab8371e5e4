/// An `rlhf sft` checkpoint that cannot be written or resumed from: what and where, in one line.
package enum SFTCheckpointError: Error, Equatable, CustomStringConvertible {
    /// A checkpoint file that is missing, unreadable or malformed.
    case unreadable(file: String, reason: String)
    /// A checkpoint of another run (other flags, data or model).
    case mismatch(file: String, what: String)
    /// Writing the checkpoint or the final model failed.
    case cannotWrite(file: String, reason: String)

    package var description: String {
        switch self {
        case let .unreadable(file, reason): "--resume \(file): \(reason)"
        case let .mismatch(file, what): "--resume \(file): this checkpoint is of another run: \(what)"
        case let .cannotWrite(file, reason): "cannot write \(file): \(reason)"
        }
    }
}
