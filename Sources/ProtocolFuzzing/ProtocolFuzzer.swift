import Wire

/// The protocol's fuzz target: one input drives the frame decoder and both sessions' input paths (a
/// keyed learner, an open learner, each with its round dispatcher, and a rollout generator's session),
/// step by step (`FuzzSteps`). Nothing an input holds may crash them, and every frame they decode or
/// send must survive encoding and decoding unchanged; `run` answers what broke.
package enum ProtocolFuzzer {
    /// Longest input read, in bytes (libFuzzer's `-max_len` should not exceed it).
    package static let maxInput = 1 << 20

    /// What one input did: the invariants it broke (empty: none), and how deep it went.
    package struct Report {
        /// Broken invariants, in order (the run stops at the first step that breaks one).
        package var violations: [String] = []
        /// Leases the keyed learner's dispatcher issued, results its ledgers accepted, and versions the
        /// generator assembled.
        package var leases = 0, accepted = 0, weightsAssembled = 0
        /// Operator requests the keyed learner let through.
        package var operatorRequests = 0
        /// What the keyed learner refused, by reason.
        package var refused: [String: Int] = [:]
    }

    /// Drives the sessions with `input`.
    package static func run(_ input: [UInt8]) -> Report {
        var keyed = LearnerUnderFuzz(clientNames: FuzzRun.clientNames, operatorKeys: FuzzRun.operatorKeys)
        var open = LearnerUnderFuzz(clientNames: [:])
        var worker = WorkerUnderFuzz()
        var now = 0.0
        var violations: [String] = []
        for step in FuzzSteps(Array(input.prefix(maxInput))) {
            switch step {
            case let .toLearner(peer, key, frames):
                violations += keyed.receive(frames, from: peer, user: key.map { FuzzRun.keys[$0] }, now: now)
                violations += open.receive(frames, from: peer, user: nil, now: now)
            case let .toWorker(frames):
                violations += worker.receive(frames, now: now)
            case let .tick(seconds):
                now += seconds
                violations += keyed.tick(now: now) + open.tick(now: now) + worker.tick(now: now)
            case let .learner(move):
                violations += keyed.move(move) + open.move(move)
            }
            if !violations.isEmpty { break }
        }
        return Report(violations: violations, leases: keyed.leases, accepted: keyed.acceptedResults,
                      weightsAssembled: worker.weightsAssembled, operatorRequests: keyed.operatorRequests, refused: keyed.session.refused)
    }
}
