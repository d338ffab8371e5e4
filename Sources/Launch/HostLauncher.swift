import Foundation

/// A command line that runs one process of the run on its host: the local executable (`rlhf` itself, `ssh`
/// or `srun`), its arguments, and, for a process on another host, how to signal it there.
package struct HostCommand: Sendable {
    /// What runs here.
    package var executable: URL
    /// Its arguments.
    package var arguments: [String]
    /// The process on the other host (nil: `executable` is the process itself).
    package var remote: RemoteHandle?

    /// A command.
    package init(executable: URL, arguments: [String], remote: RemoteHandle? = nil) {
        self.executable = executable; self.arguments = arguments; self.remote = remote
    }
}

/// What stops a launcher from starting a process on a host, in one line: the host and why.
package struct LaunchError: Error, Equatable, CustomStringConvertible {
    /// The host (empty when it is about the launcher as a whole).
    package var host: String
    /// What went wrong.
    package var reason: String

    /// An error.
    package init(host: String, reason: String) { self.host = host; self.reason = reason }

    package var description: String { host.isEmpty ? reason : "\(host): \(reason)" }
}

/// How `rlhf launch` starts the run's processes on their hosts (`--launcher local|ssh|slurm`).
package protocol HostLauncher: AnyObject {
    /// The path on `host` of the local folder `folder` (a key folder), copied there first when the hosts
    /// do not share files.
    func stage(_ folder: URL, on host: String) throws(LaunchError) -> String
    /// The command that runs `rlhf ARGUMENTS` on `host`.
    func command(_ arguments: [String], on host: String) throws(LaunchError) -> HostCommand
    /// The cores of `host`, for the placement.
    func cores(of host: String) throws(LaunchError) -> Int
    /// The address the learner binds on `host`, one its workers reach.
    func learnerAddress(on host: String) throws(LaunchError) -> String
}

/// `--launcher local`: every process on this machine, the learner on loopback.
package final class LocalLauncher: HostLauncher {
    private let binary: URL

    /// A launcher of `binary` (this `rlhf`).
    package init(binary: URL) { self.binary = binary }

    package func stage(_ folder: URL, on host: String) throws(LaunchError) -> String { folder.path }

    package func command(_ arguments: [String], on host: String) throws(LaunchError) -> HostCommand {
        HostCommand(executable: binary, arguments: arguments)
    }

    package func cores(of host: String) throws(LaunchError) -> Int { DeviceSpec.allowedCores().count }

    package func learnerAddress(on host: String) throws(LaunchError) -> String { "127.0.0.1" }

    /// The names a host file may give this machine.
    package static let names: Set<String> = ["localhost", "127.0.0.1", ProcessInfo.processInfo.hostName]
}
