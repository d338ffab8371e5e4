/// `WELCOME`: the learner's answer to `Register` (PROTOCOL.md section 4).
package struct Welcome: Sendable, Equatable {
    /// The number the learner gave the worker (≥ 1); every later header to or from it carries it.
    package var worker: UInt32
    /// The heartbeat interval H in milliseconds (≥ 1); silence for 3·H means the peer is dead.
    package var heartbeatMilliseconds: Int
    /// The run's seed: task seeds are `TaskID.seed(runSeed:)`.
    package var runSeed: UInt64
    /// The policy version the learner is at now (≥ 0).
    package var policyVersion: Int
    /// A digest of the run config (at most 64 bytes), so a worker can tell it joined the run it expects.
    package var configDigest: [UInt8]

    /// The run config's YAML text and the `--set` overrides the learner applied: a worker process
    /// builds its role from them (paths and `${VAR}` defaults resolve on the worker's host).
    package var runConfig: String
    package var configOverrides: [String]

    /// Creates a welcome.
    package init(worker: UInt32, heartbeatMilliseconds: Int, runSeed: UInt64, policyVersion: Int, configDigest: [UInt8],
                runConfig: String = "", configOverrides: [String] = []) {
        self.worker = worker; self.heartbeatMilliseconds = heartbeatMilliseconds; self.runSeed = runSeed
        self.policyVersion = policyVersion; self.configDigest = configDigest
        self.runConfig = runConfig; self.configOverrides = configOverrides
    }
}
