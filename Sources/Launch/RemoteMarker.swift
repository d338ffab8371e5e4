import Foundation

/// The line a remote process's shell prints before it becomes `rlhf`: how the launcher learns what names
/// that process on its host (its pid for ssh, its job step for Slurm), so that it can signal it there.
package enum RemoteMarker {
    /// The start of the line (a control character no log line starts with).
    package static let prefix = "\u{1}rlhf-remote "
}

/// A process of the run that runs on another host, signalled there: `signal(marker, number)` sends signal
/// `number` to the process its marker line named. Until that line arrives, the local client (ssh, srun) is
/// signalled instead.
package final class RemoteHandle: @unchecked Sendable {
    private let lock = NSLock()
    private var marker: String?
    private let send: @Sendable (String, Int32) -> Void

    /// A handle whose signals go through `send(marker, signal)`.
    package init(send: @escaping @Sendable (String, Int32) -> Void) { self.send = send }

    /// Notes the marker the remote side printed.
    func mark(_ text: String) { lock.withLock { marker = text } }

    /// The marker, once printed.
    package var name: String? { lock.withLock { marker } }

    /// Sends `number` to the remote process; false if its marker has not arrived yet.
    func signal(_ number: Int32) -> Bool {
        guard let marker = name else { return false }
        send(marker, number)
        return true
    }
}
