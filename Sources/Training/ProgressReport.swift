/// Where a long piece of work stands, as a trainer or a run reports it to its caller (a progress line on a
/// terminal, a log, a test): steps done of the total, a short note, and the step's numbers where it has them.
public struct ProgressReport: Sendable {
    /// Steps done.
    public var done: Int
    /// Steps in all.
    public var total: Int
    /// A short note for a progress line ("loss 0.693").
    public var note: String
    /// The step's metrics, when it has them.
    public var values: [String: Double]

    /// A report of `done` out of `total` units, with a note and named values.
    public init(done: Int, total: Int, note: String = "", values: [String: Double] = [:]) {
        self.done = done
        self.total = total
        self.note = note
        self.values = values
    }
}
