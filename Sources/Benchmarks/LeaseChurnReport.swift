/// The churn half of `rlhf bench transport --churn N`'s lease line: the same rounds as the line's
/// own, timed while `churn_per_s` stand-ins leave and as many join every second, and what the learner
/// and the stand-ins did about those who left.
package struct LeaseChurnReport: Encodable, Sendable {
    /// Stand-ins that leave (and join) every second.
    package let churn_per_s: Int
    /// Median, lowest and highest leases per second, and each timed round's. A round's leases are its
    /// tasks' 3 each: leases issued again for a worker that left take time and are not counted.
    package let leases_per_s: Double, min_leases_per_s: Double, max_leases_per_s: Double, rates: [Double]
    /// Median seconds of a churned round.
    package let round_s: Double
    /// Leases issued in the churned rounds beyond 3 a task (work a leaver took with it, issued again).
    package let reissued_leases: Int
    /// Stand-ins that joined, left by draining, and left by closing their socket.
    package let joined: Int, left_draining: Int, left_disconnecting: Int
    /// The fewest and most workers the learner had registered while the churn ran.
    package let registered_min: Int, registered_max: Int
    /// Joins that failed.
    package let join_failures: Int
    /// Leases the learner sent to a worker it knew had left (drained, gone, or stopped): must be 0.
    package let leases_to_departed: Int
    /// Leases that reached a stand-in after the learner sent it `STOP`: must be 0.
    package let leases_after_left: Int
    /// Leases that reached a draining stand-in before `STOP` (sent before the learner read its
    /// `READY` with credit 0; answered, allowed).
    package let leases_while_draining: Int
    /// Drained stand-ins never sent `STOP`: must be 0.
    package let never_stopped: Int
    /// Rounds run while the churn went on or settled, each complete with every task once.
    package let rounds: Int
    package let meets_target: Bool
}
