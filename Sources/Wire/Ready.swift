/// `READY`: a worker grants the learner credit for more tasks (PROTOCOL.md section 5); the learner sends
/// no more tasks than it was granted.
package struct Ready: Sendable, Equatable {
    /// How many more tasks the worker takes (≥ 0).
    package var credit: Int

    /// Creates a grant.
    package init(credit: Int) { self.credit = credit }
}
