/// Why a cluster worker stopped without being told to: one line, and the process's exit status 3 (the
/// worker ran and then lost its run, as opposed to bad input, which is 2).
public struct ClusterWorkerError: Error, Equatable, CustomStringConvertible {
    /// What ended the worker: package-internal, so that cases can be added without breaking users.
    package enum Code: Equatable, Sendable {
        /// The learner was silent past the timeout, or its run config changed under the worker.
        case learnerGone(reason: String)
        /// The transport closed before the learner ever welcomed this worker.
        case neverWelcomed
    }

    /// What ended the worker.
    package let code: Code

    /// The error of `code`.
    package init(_ code: Code) { self.code = code }

    /// The exit status a command-line worker ends with: 3.
    public var exitStatus: Int32 { 3 }

    /// The message: one line.
    public var description: String {
        switch code {
        case let .learnerGone(reason): "the worker stopped: \(reason)"
        case .neverWelcomed: "the worker stopped: its connection closed before the learner welcomed it"
        }
    }
}
