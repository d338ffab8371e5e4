/// `CONTROL`: the learner tells a worker to change what it does. `stop` is `LearnerMessage.stop` in one process.
package enum Control: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Take no new work, finish and answer what it holds, then disconnect.
    case drain
    /// Stop now.
    case stop
    /// Save what it needs to resume.
    case checkpoint

    /// The command's name (`drain`).
    package var description: String { rawValue }
}
