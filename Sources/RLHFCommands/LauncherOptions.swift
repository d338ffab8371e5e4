import ArgumentParser
import Foundation
import Launch

/// `rlhf launch`'s choice of launcher and its options: `local` (this machine), `ssh` (the host file's hosts
/// over ssh) or `slurm` (job steps inside the Slurm allocation this runs in).
struct LauncherOptions: ParsableArguments {
    @Option(help: "How processes start: local (this machine), ssh (the host file's hosts, over ssh) or slurm (job steps in this Slurm allocation).")
    var launcher = "local"

    @Option(help: ArgumentHelp("ssh: the address of this machine the learner binds and the hosts reach (default: this machine's name's).", valueName: "address"))
    var learnerAddress: String?

    @Option(help: ArgumentHelp("ssh: the ssh config file (ssh -F; default: yours).", valueName: "file"))
    var sshConfig: String?

    @Option(help: ArgumentHelp("ssh: the folder on each host for the rlhf install and the key folders (relative: to the host's home).", valueName: "dir"))
    var remoteDir = ".rlhf"

    @Option(help: ArgumentHelp("ssh, slurm: the rlhf the hosts run (ssh default: rlhf on their PATH, else --dist; slurm default: this one).", valueName: "path"))
    var remoteRLHF: String?

    @Option(help: ArgumentHelp("ssh: the relocatable tarball (make dist) copied to hosts without rlhf (default: $RLHF_DIST).", valueName: "tarball"))
    var dist: String?

    @Option(help: ArgumentHelp("slurm: processes per node (default: one per GPU, else one per CPU).", valueName: "n"))
    var slotsPerNode: Int?

    /// The names `--launcher` takes.
    static let names = ["local", "ssh", "slurm"]

    func validate() throws {
        guard Self.names.contains(launcher) else {
            throw ValidationError("--launcher \(MessageEscaping.oneLine(String(launcher.prefix(20)))): expected local, ssh or slurm")
        }
        if let slotsPerNode, !(1...4096).contains(slotsPerNode) { throw ValidationError("--slots-per-node must be 1 to 4096") }
        let sshOnly: [(String, Bool)] = [("--learner-address", learnerAddress != nil), ("--ssh-config", sshConfig != nil),
                                         ("--remote-dir", remoteDir != ".rlhf"), ("--dist", dist != nil)]
        if launcher != "ssh", let given = sshOnly.first(where: \.1) { throw ValidationError("\(given.0) is for --launcher ssh") }
        if launcher != "slurm" && slotsPerNode != nil { throw ValidationError("--slots-per-node is for --launcher slurm") }
        if launcher == "local" && remoteRLHF != nil { throw ValidationError("--remote-rlhf is for --launcher ssh or slurm") }
        for (flag, value) in [("--ssh-config", sshConfig), ("--dist", dist)] {
            if let value, !FileManager.default.isReadableFile(atPath: value) {
                throw ValidationError("\(flag) \(MessageEscaping.oneLine(String(value.prefix(200)))): no such readable file")
            }
        }
    }

    /// The tarball: `--dist`, else `$RLHF_DIST`.
    private var tarball: URL? {
        (dist ?? ProcessInfo.processInfo.environment["RLHF_DIST"]).map { URL(fileURLWithPath: $0) }
    }

    /// The hosts: the host file's, or for slurm without one, the allocation's (also written to
    /// `folder/hosts.slurm.txt`, so `--resume` finds them); the second value names them in errors.
    func hosts(_ hostfile: String?) throws -> (HostFile, String) {
        if launcher == "slurm" {
            let allocation = try slurmAllocation()
            guard let hostfile else { return (allocation.hostFile(slotsPerNode: slotsPerNode), "the Slurm allocation \(allocation.job)") }
            let hosts = try HostFile.load(URL(fileURLWithPath: hostfile))
            if let foreign = hosts.hosts.first(where: { !allocation.nodes.contains($0.host) }) {
                throw HostFileError(file: hostfile, line: foreign.line, reason: "\(foreign.host) is not a node of the allocation \(allocation.job)")
            }
            return (hosts, hostfile)
        }
        guard let hostfile else { throw ValidationError("pass --hostfile") }
        let hosts = try HostFile.load(URL(fileURLWithPath: hostfile))
        if launcher == "local", let remote = hosts.hosts.first(where: { !LocalLauncher.names.contains($0.host) }) {
            throw HostFileError(file: hostfile, line: remote.line, reason: "\(remote.host) is not this machine; --launcher local runs on localhost only "
                                + "(--launcher ssh or slurm reach other hosts)")
        }
        return (hosts, hostfile)
    }

    /// The launcher for `binary` (this rlhf) in run folder `folder`.
    func make(binary: URL, folder: URL) throws -> HostLauncher {
        switch launcher {
        case "ssh":
            let run = String(folder.standardizedFileURL.path.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 },
                             radix: 16)
            return try SSHLauncher(options: .init(config: sshConfig, remoteDir: remoteDir, remoteRLHF: remoteRLHF, tarball: tarball,
                                                  learnerAddress: learnerAddress),
                                   binary: binary, version: RLHFCommand.configuration.version, run: run,
                                   environment: ProcessInfo.processInfo.environment)
        case "slurm":
            return try SlurmLauncher(allocation: try slurmAllocation(), rlhf: remoteRLHF ?? binary.path)
        default:
            return LocalLauncher(binary: binary)
        }
    }

    private func slurmAllocation() throws -> SlurmAllocation {
        guard let scontrol = ShortCommand.find("scontrol") else { throw LaunchError(host: "", reason: "--launcher slurm: no scontrol on PATH") }
        return try SlurmAllocation.detect(ProcessInfo.processInfo.environment, scontrol: scontrol)
    }

    /// The options as `cluster.json` records them (what `--resume` needs again).
    var record: [String: Any] {
        var entry: [String: Any] = ["launcher": launcher, "remote_dir": remoteDir]
        if let learnerAddress { entry["learner_address"] = learnerAddress }
        if let sshConfig { entry["ssh_config"] = URL(fileURLWithPath: sshConfig).standardizedFileURL.path }
        if let remoteRLHF { entry["remote_rlhf"] = remoteRLHF }
        if let tarball { entry["dist"] = tarball.standardizedFileURL.path }
        if let slotsPerNode { entry["slots_per_node"] = slotsPerNode }
        return entry
    }

    /// Options as `record` wrote them (`launcher` alone in a record from before the launchers).
    static func from(record: [String: Any]?, launcher: String) -> LauncherOptions {
        var options = LauncherOptions()
        options.launcher = record?["launcher"] as? String ?? launcher
        options.learnerAddress = record?["learner_address"] as? String
        options.sshConfig = record?["ssh_config"] as? String
        options.remoteDir = record?["remote_dir"] as? String ?? ".rlhf"
        options.remoteRLHF = record?["remote_rlhf"] as? String
        options.dist = record?["dist"] as? String
        options.slotsPerNode = record?["slots_per_node"] as? Int
        return options
    }
}
