/// Names one unit of rollout work: the iteration it belongs to and its index in that iteration's batch.
/// Every message about the work carries it, so a result is counted once and a late one is recognised.
package struct TaskID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The PPO iteration (from 0).
    package var iteration: Int
    /// The task's index within the iteration (from 0).
    package var index: Int
    /// The learner incarnation that leased the task (a 64-bit id drawn at each learner start): results
    /// echo it, and a learner drops those of another incarnation. Not part of the sampling seed.
    package var incarnation: UInt64

    /// Creates an id.
    package init(iteration: Int, index: Int, incarnation: UInt64 = 0) {
        self.iteration = iteration
        self.index = index
        self.incarnation = incarnation
    }

    package static func < (a: TaskID, b: TaskID) -> Bool {
        (a.iteration, a.index, a.incarnation) < (b.iteration, b.index, b.incarnation)
    }

    package var description: String { "\(iteration).\(index)" }

    /// The sampling seed of this task: a SplitMix64-style mix of the run seed and the id, so the samples
    /// depend on the task alone, not on which worker runs it or when.
    package func seed(runSeed: UInt64) -> UInt64 {
        var z = runSeed &+ 0x9E37_79B9_7F4A_7C15 &* (UInt64(truncatingIfNeeded: iteration) &* 0x1_0000_0001 &+ UInt64(truncatingIfNeeded: index) &+ 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
