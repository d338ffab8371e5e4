/// What a worker can take on, as it tells the learner when it registers.
package struct WorkerCapabilities: Sendable, Equatable {
    /// The most rows it takes in one task (≥ 1).
    package var maxRowsPerTask: Int
    /// The compute backends it runs, best first (`"cpu"`, ...).
    package var backends: [String]
    /// A reward worker that scores text: the learner fills `SequenceRequest.texts` in every score request
    /// it leases to it (`Capabilities.score_texts`; only a reward worker may ask).
    package var scoreTexts: Bool

    /// Creates capabilities.
    package init(maxRowsPerTask: Int, backends: [String], scoreTexts: Bool = false) {
        self.maxRowsPerTask = maxRowsPerTask; self.backends = backends; self.scoreTexts = scoreTexts
    }
}

/// `REGISTER`: the first message of a worker that joins a run (PROTOCOL.md section 4), answered by `Welcome`.
/// It carries the protocol version on the wire; this value is the rest. In one process this is
/// `WorkerMessage.hello(role)`.
package struct Register: Sendable, Equatable {
    /// The one role the worker has.
    package var role: WorkerRole
    /// The host it runs on.
    package var host: String
    /// Its process id there (≥ 1).
    package var pid: Int
    /// What it computes on (`"cpu"`, `"cuda:0"`, ...).
    package var device: String
    /// What it can take on.
    package var capabilities: WorkerCapabilities

    /// Creates a registration.
    package init(role: WorkerRole, host: String, pid: Int, device: String, capabilities: WorkerCapabilities) {
        self.role = role; self.host = host; self.pid = pid; self.device = device; self.capabilities = capabilities
    }
}
