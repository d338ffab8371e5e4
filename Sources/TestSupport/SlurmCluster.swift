import Foundation

/// A real Slurm cluster over a test's namespace hosts: `munged`, `slurmctld` on this machine (at host 1's
/// gateway address) and one `slurmd` per namespace host, node `nK` at the host's address with `cpus` CPUs.
/// Its files are in `folder`; `environment` (`SLURM_CONF`) points the Slurm commands at it. `stop()` (or
/// deinit) ends its jobs and daemons.
package final class SlurmCluster: @unchecked Sendable {
    /// What the Slurm commands need to reach this cluster.
    package let environment: [String: String]
    /// The nodes' names, in host order.
    package let nodes: [String]
    private let folder: URL
    private var stopped = false

    /// Starts the cluster on `hosts` and waits until every node is idle.
    package init(on hosts: NamespaceHosts, folder: URL, cpus: Int) throws {
        self.folder = folder
        nodes = hosts.hosts.map { "n\($0.number)" }
        for tool in ["/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "srun", "salloc"] where !SystemCommand.exists(tool) {
            throw SystemCommand.Failure(command: [tool], result: .init(status: 127, output: "slurm-wlm and munge are not installed: make test-deps installs them"))
        }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("state"), withIntermediateDirectories: true)
        let conf = folder.appendingPathComponent("slurm.conf")
        environment = ["SLURM_CONF": conf.path]
        try Self.startMunge()
        let name = try SystemCommand.check(["hostname"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let path = folder.path
        var text = """
        ClusterName=rlhftest
        SlurmctldHost=\(name)(\(hosts.hosts[0].gateway))
        SlurmUser=root
        AuthType=auth/munge
        ProctrackType=proctrack/linuxproc
        TaskPlugin=task/none
        SelectType=select/cons_tres
        SelectTypeParameters=CR_CPU
        MailProg=/bin/true
        ReturnToService=2
        StateSaveLocation=\(path)/state
        SlurmctldPidFile=\(path)/slurmctld.pid
        SlurmctldLogFile=\(path)/slurmctld.log
        SlurmdSpoolDir=\(path)/spool-%n
        SlurmdPidFile=\(path)/slurmd-%n.pid
        SlurmdLogFile=\(path)/slurmd-%n.log
        SlurmdTimeout=30
        InactiveLimit=0
        KillWait=5

        """
        for (host, node) in zip(hosts.hosts, nodes) { text += "NodeName=\(node) NodeAddr=\(host.address) CPUs=\(cpus) State=UNKNOWN\n" }
        text += "PartitionName=test Nodes=\(nodes.joined(separator: ",")) Default=YES MaxTime=INFINITE State=UP\n"
        try text.write(to: conf, atomically: true, encoding: .utf8)
        try "CgroupPlugin=cgroup/v1\nCgroupAutomount=no\n".write(to: folder.appendingPathComponent("cgroup.conf"), atomically: true, encoding: .utf8)
        do {
            try SystemCommand.check(["/usr/sbin/slurmctld", "-i"], environment: environment)
            for (host, node) in zip(hosts.hosts, nodes) {
                try SystemCommand.check(hosts.inside(host, ["/usr/sbin/slurmd", "-N", node]), environment: environment)
            }
            let deadline = Date().addingTimeInterval(60)
            while true {
                let states = try SystemCommand.run(["sinfo", "-h", "-N", "-o", "%N %T"], environment: environment, timeout: 15).output
                if states.split(separator: "\n").filter({ $0.hasSuffix(" idle") }).count == nodes.count { break }
                guard Date() < deadline else {
                    throw SystemCommand.Failure(command: ["sinfo"], result: .init(status: 1, output: "nodes not idle after 60 s: \(states)"))
                }
                usleep(250_000)
            }
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    /// Starts `munged` as user munge with a fresh 1024-byte key, unless one already runs.
    private static func startMunge() throws {
        if (try? SystemCommand.run(["pgrep", "-x", "munged"]))?.status == 0 { return }
        let key = "/etc/munge/munge.key"
        if !FileManager.default.fileExists(atPath: key) {
            var bytes = [UInt8](repeating: 0, count: 1024)
            for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
            try Data(bytes).write(to: URL(fileURLWithPath: key))
        }
        for folder in ["/run/munge", "/var/lib/munge", "/var/log/munge", "/etc/munge"] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try SystemCommand.check(["chown", "munge:munge", folder])
        }
        try SystemCommand.check(["chown", "munge:munge", key])
        try SystemCommand.check(["chmod", "0400", key])
        try SystemCommand.check(["runuser", "-u", "munge", "--", "/usr/sbin/munged"])
    }

    /// The job steps running now: `JOB.STEP` → step name (`squeue -s`).
    package func steps() throws -> [String: String] {
        let text = try SystemCommand.check(["squeue", "-s", "-h", "-o", "%i %j"], environment: environment, timeout: 15)
        return Dictionary(text.split(separator: "\n").compactMap { line -> (String, String)? in
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        }, uniquingKeysWith: { a, _ in a })
    }

    /// Cancels every job, then ends the daemons (idempotent). munged is left running for the next cluster.
    package func stop() {
        guard !stopped else { return }
        stopped = true
        _ = try? SystemCommand.run(["scancel", "--full", "--user", "root"], environment: environment, timeout: 15)
        let pidFiles = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".pid") }
        for file in pidFiles {
            if let text = try? String(contentsOfFile: folder.appendingPathComponent(file).path, encoding: .utf8),
               let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                kill(pid, SIGTERM)
            }
        }
        usleep(500_000)
    }
}
