/// Why a cluster run stopped before its last iteration without being asked to: a role it needs had no
/// usable worker for the role timeout (all gone, or quarantined). One line naming the role and what was
/// saved; exit status 3 on the command line.
public struct ClusterRunError: Error, Equatable, CustomStringConvertible {
    /// What stopped the run: package-internal, so that cases can be added without breaking users.
    package enum Code: Equatable, Sendable {
        /// `role` had no usable worker for the timeout (`why`); `checkpoint` names the checkpoint written.
        case roleLost(role: String, why: String, checkpoint: String)
    }

    /// What stopped the run.
    package let code: Code

    /// The error of `code`.
    package init(_ code: Code) { self.code = code }

    /// The exit status a command-line learner ends with: 3.
    public var exitStatus: Int32 { 3 }

    /// The role the run lost.
    public var role: String {
        switch code { case let .roleLost(role, _, _): role }
    }

    /// The message: one line.
    public var description: String {
        switch code {
        case let .roleLost(_, why, checkpoint):
            "the run stopped: \(why); checkpoint \(checkpoint) written (go on with --resume once workers are back)"
        }
    }
}
