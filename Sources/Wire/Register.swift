/// What a worker can take on, as it tells the learner when it registers.
public struct WorkerCapabilities: Sendable, Equatable {
    /// The most rows it takes in one task (≥ 1).
    public var maxRowsPerTask: Int
    /// The compute backends it runs, best first (`"cpu"`, ...).
    public var backends: [String]

    /// Creates capabilities.
    public init(maxRowsPerTask: Int, backends: [String]) { self.maxRowsPerTask = maxRowsPerTask; self.backends = backends }
}

/// `REGISTER`: the first message of a worker that joins a run (PROTOCOL.md section 4), answered by `Welcome`.
/// It carries the protocol version on the wire; this value is the rest. In one process this is
/// `WorkerMessage.hello(role)`.
public struct Register: Sendable, Equatable {
    /// The one role the worker has.
    public var role: WorkerRole
    /// The host it runs on.
    public var host: String
    /// Its process id there (≥ 1).
    public var pid: Int
    /// What it computes on (`"cpu"`, `"cuda:0"`, ...).
    public var device: String
    /// What it can take on.
    public var capabilities: WorkerCapabilities

    /// Creates a registration.
    public init(role: WorkerRole, host: String, pid: Int, device: String, capabilities: WorkerCapabilities) {
        self.role = role; self.host = host; self.pid = pid; self.device = device; self.capabilities = capabilities
    }
}
