/// `READY`: a worker grants the learner credit for more tasks (PROTOCOL.md section 5); the learner sends
/// no more tasks than it was granted.
public struct Ready: Sendable, Equatable {
    /// How many more tasks the worker takes (≥ 0).
    public var credit: Int

    /// Creates a grant.
    public init(credit: Int) { self.credit = credit }
}
