import Foundation

/// `--launcher slurm`: each process runs as its own job step, `srun --nodes=1 --ntasks=1 --nodelist=NODE
/// --overlap`, inside the allocation (`SlurmAllocation`); the process pins itself as the placement says
/// (`--device`), so the step asks Slurm for no binding. Files are shared across the nodes, as on every
/// Slurm cluster: key folders and the run's folder are used where they are, and the binary is this one
/// (or `--remote-rlhf`). A step's shell names it (`JOB.STEP`) before it becomes `rlhf`; a signal goes
/// through `scancel --signal`, a kill through `scancel`. A step that ends, however Slurm ended it
/// (`scancel`, a node failure), ends its `srun`: a dead worker.
package final class SlurmLauncher: HostLauncher, @unchecked Sendable {
    private let allocation: SlurmAllocation
    private let srun: URL, scancel: URL, scontrol: URL
    private let rlhf: String

    /// A launcher of `rlhf` (a path every node sees) inside `allocation`.
    package init(allocation: SlurmAllocation, rlhf: String) throws(LaunchError) {
        func tool(_ name: String) throws(LaunchError) -> URL {
            guard let url = ShortCommand.find(name) else { throw LaunchError(host: "", reason: "--launcher slurm: no \(name) on PATH") }
            return url
        }
        self.allocation = allocation
        self.rlhf = rlhf
        (srun, scancel, scontrol) = (try tool("srun"), try tool("scancel"), try tool("scontrol"))
    }

    package func stage(_ folder: URL, on host: String) throws(LaunchError) -> String { folder.path }

    package func command(_ arguments: [String], on host: String) throws(LaunchError) -> HostCommand {
        guard allocation.nodes.contains(host) else {
            throw LaunchError(host: host, reason: "not a node of the allocation \(allocation.job) (\(allocation.nodes.joined(separator: ",").prefix(200)))")
        }
        let scancel = self.scancel
        let handle = RemoteHandle { step, signal in
            let arguments = signal == SIGKILL ? [step] : ["--signal=\(signal)", step]
            _ = try? ShortCommand.run(scancel, arguments, timeout: 15)
        }
        // the step's name says what it runs: rlhf-learner, rlhf-worker-ROLE or rlhf-worker-NAME (squeue -s shows it)
        func value(_ flag: String) -> String? { arguments.firstIndex(of: flag).flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil } }
        let name = (["rlhf", arguments.first ?? ""] + [value("--name") ?? value("--role")].compactMap { $0 }).joined(separator: "-")
        return HostCommand(executable: srun, arguments: ["--nodes=1", "--ntasks=1", "--nodelist=\(host)", "--overlap", "--cpu-bind=none",
                                                         "--job-name=\(name)", "--kill-on-bad-exit=0", "sh", "-c",
                                                         "printf '\\001rlhf-remote %s.%s\\n' \"$SLURM_JOB_ID\" \"$SLURM_STEP_ID\"; exec \"$0\" \"$@\"",
                                                         rlhf] + arguments,
                           remote: handle)
    }

    package func cores(of host: String) throws(LaunchError) -> Int { allocation.cpus[host] ?? 1 }

    /// The node's `NodeAddr` (`scontrol show node`), as a numeric address.
    package func learnerAddress(on host: String) throws(LaunchError) -> String {
        let shown: ShortCommand.Result
        do { shown = try ShortCommand.run(scontrol, ["show", "node", host, "--oneliner"], timeout: 30) } catch {
            throw LaunchError(host: host, reason: "cannot run scontrol: \(error)")
        }
        guard shown.status == 0 else { throw LaunchError(host: host, reason: "scontrol show node: \(shown.lastErrorLine)") }
        let address = shown.text.split(whereSeparator: { $0 == " " || $0 == "\n" }).first { $0.hasPrefix("NodeAddr=") }
            .map { String($0.dropFirst("NodeAddr=".count)) } ?? host
        return try NumericAddress.resolve(address, host: host)
    }
}
