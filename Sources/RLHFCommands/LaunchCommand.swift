import ArgumentParser
import ClusterTransport
import Dispatch
import Foundation
import Launch
import PPO
import Storage

/// `rlhf launch`: a whole cluster run from a host file. It prints the placement plan, writes the run's
/// CurveZMQ keys (unless `--insecure`), starts the learner and every worker pinned to its device,
/// forwards their output with a `role@host` prefix, writes `OUTPUT/cluster.json`, stops the run after
/// its current iteration with a checkpoint on Ctrl-C or SIGTERM (everything at once on a second one),
/// and exits non-zero when the learner fails. When the learner dies (killed, or crashed), the workers are
/// left waiting for a new one, and `rlhf launch --resume DIR` continues the run from its newest checkpoint
/// (`LaunchRecord`). This launcher is `local`: every host in the file must be this machine.
struct LaunchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "launch",
        abstract: "Launch a PPO cluster (learner and workers as processes) from a host file.")

    @Option(help: "The host file: HOST slots=N [gpus=0,1] [roles=learner,rollout,...] per line.")
    var hostfile: String?

    @Option(help: "The run config (YAML).")
    var config: String?

    @Option(help: "The run's folder (metrics, checkpoints, cluster.json, keys).")
    var output: String?

    @Option(help: ArgumentHelp("Continue the run in DIR from its newest checkpoint, as its cluster.json says it was launched: a new learner on the same port and keys, and the workers whose processes are gone; workers still running rejoin by themselves.", valueName: "dir"))
    var resume: String?

    @Option(name: .customLong("set"), help: "Override a config key: key=value (repeatable).")
    var overrides: [String] = []

    @Option(help: "How processes start: local (this machine).")
    var launcher = "local"

    @Option(help: "The learner's port (0: any free port).")
    var port = 0

    @Flag(help: "Plain tcp without CurveZMQ (loopback experiments only).")
    var insecure = false

    @Option(help: ArgumentHelp("The learner stops the run, with a checkpoint and status 3, when a role it needs has had no usable worker this long.", valueName: "seconds"))
    var roleTimeout: Double = 600

    @OptionGroup var replace: ForceOption

    mutating func validate() throws {
        overrides = RepeatedOptions.unpack(overrides)
        if resume != nil {
            guard hostfile == nil, config == nil, output == nil, overrides.isEmpty, port == 0, !insecure, !replace.force else {
                throw ValidationError("--resume DIR takes the host file, config, overrides, port and keys from DIR/cluster.json; pass nothing else")
            }
        } else {
            guard hostfile != nil, config != nil, output != nil else { throw ValidationError("pass --hostfile, --config and --output (or --resume DIR)") }
        }
        guard roleTimeout >= 1, roleTimeout <= 864_000 else { throw ValidationError("--role-timeout must be between 1 and 864000 seconds") }
        guard launcher == "local" else { throw ValidationError("--launcher \(launcher.prefix(20)): this build has local (ssh and slurm come later)") }
        guard (0...65535).contains(port) else { throw ValidationError("--port \(port): expected 0 to 65535") }
    }

    func run() async throws {
        var launch = self
        let previous = try resume.map { try LaunchRecord.load(URL(fileURLWithPath: $0)) }
        if let previous {
            (launch.hostfile, launch.config, launch.output) = (previous.hostfile, previous.config, resume!)
            (launch.overrides, launch.port, launch.insecure, launch.roleTimeout) = (previous.overrides, previous.port, !previous.secure, previous.roleTimeout)
        }
        try await launch.launch(resuming: previous)
    }

    /// Launches the run, or (`previous`: what its cluster.json recorded) continues it.
    private func launch(resuming previous: LaunchRecord?) async throws {
        let (hostfile, config, output) = (hostfile!, config!, output!)
        let settings = try PPORunConfig.load(URL(fileURLWithPath: config), overrides: overrides)
        let hosts = try HostFile.load(URL(fileURLWithPath: hostfile))
        let local: Set<String> = ["localhost", "127.0.0.1", ProcessInfo.processInfo.hostName]
        if let remote = hosts.hosts.first(where: { !local.contains($0.host) }) {
            throw HostFileError(file: hostfile, line: remote.line, reason: "\(remote.host) is not this machine; --launcher local runs on localhost only")
        }
        let plan = try PlacementPlan.make(hosts, counts: [.learner: 1, .rollout: settings.rolloutWorkers, .reward: settings.rewardWorkers,
                                                          .reference: settings.referenceWorkers],
                                          file: hostfile, cores: { _ in DeviceSpec.allowedCores().count })
        let rule = RunFolder.rule(output, command: "launch", config: settings, configFile: config, force: replace.force)
        try RunFolder.prepare(rule, resume: previous != nil)
        let folder = URL(fileURLWithPath: rule.resolvedPath)
        // absolute, so `--resume` finds them from any folder
        let hostfilePath = URL(fileURLWithPath: hostfile).standardizedFileURL.path, configPath = URL(fileURLWithPath: config).standardizedFileURL.path
        try StandardOutput.line("placement (\(plan.processes.count) processes):")
        for line in plan.lines { try StandardOutput.line("  " + line) }
        let keys = folder.appendingPathComponent("keys")
        let names = plan.processes.filter { $0.role != .learner }.map { "\($0.role)-\($0.index)" }
        let keyFiles = insecure ? [] : try previous?.keys ?? ClusterKeys.generate(in: keys, workers: names)
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        // each process gets its own key folder: the learner's pair and the workers' public keys, or one
        // worker's pair and the learner's public key (no other secret)
        let learnerSecurity = insecure ? ["--insecure"] : ["--keys", ClusterKeys.learnerFolder(in: keys).path]
        let group = ProcessGroup()
        let learnerPlace = plan.processes[0]
        if let previous, let adopted = previous.runningLearner {
            // the launcher was killed, not the learner: the run goes on; this launcher adopts it
            try StandardOutput.line("the learner of this run still runs (pid \(adopted)): adopting it and starting the workers that are gone")
            try await adopt(learnerPID: adopted, previous: previous, plan: plan, names: names, keys: keys, folder: folder, group: group,
                            binary: binary, output: output)
            return
        }
        let endpointFile = folder.appendingPathComponent("learner.endpoint")
        if previous != nil { try? FileManager.default.removeItem(at: endpointFile) }  // the new learner writes it again once listening
        let learner = try group.start(binary, ["learner", "--config", configPath, "--output", output, "--bind", "tcp://127.0.0.1:\(port)",
                                               "--device", learnerPlace.device, "--role-timeout", "\(roleTimeout)"]
                                               + learnerSecurity + overrides.flatMap { ["--set", $0] } + (previous != nil ? ["--resume"] : []),
                                      prefix: "learner@\(learnerPlace.host)")
        while !FileManager.default.fileExists(atPath: endpointFile.path) && learner.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        guard learner.isRunning, let endpoint = try? String(contentsOf: endpointFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) else {
            group.waitAll()
            throw CommandInputError.flags("the learner stopped before it was listening (exit status \(learner.terminationStatus))")
        }
        var entries: [[String: Any]] = [["role": "learner", "index": 0, "host": learnerPlace.host, "pid": Int(learner.processIdentifier),
                                          "device": learnerPlace.device, "endpoint": endpoint]]
        // a worker of the run before that still runs rejoins the new learner by itself
        entries += try startWorkers(plan: plan, names: names, keys: keys, endpoint: endpoint, previous: previous, group: group, binary: binary)
        try writeRecord(entries, keyFiles: keyFiles, endpoint: endpoint, keys: keys, hostfile: hostfilePath, config: configPath, folder: folder)
        group.stopOnSignals(learner: learner)
        while learner.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        if learner.terminationReason == .uncaughtSignal && group.interruption == nil {
            // the learner died (killed, or it crashed): the workers wait for a learner (their --learner-timeout)
            FileHandle.standardError.write(Data(("error: the learner died (signal \(learner.terminationStatus)); its workers wait for a new one: "
                                                 + "continue the run with rlhf launch --resume \(output)\n").utf8))
            Foundation.exit(3)
        }
        group.stopAll(after: 10)
        if let signal = group.interruption { Foundation.exit(128 + signal) }
        if learner.terminationReason == .exit && learner.terminationStatus == 3 {
            // the learner lost a role and saved what it had: its own line says which and where
            FileHandle.standardError.write(Data("error: the run stopped before its end: the learner's line above says why\n".utf8))
            Foundation.exit(3)
        }
        guard learner.terminationReason == .exit && learner.terminationStatus == 0 else {
            throw CommandInputError.flags("the learner failed (exit status \(learner.terminationStatus)); see its lines above")
        }
    }

    /// Starts the workers of `plan` (`names`) against `endpoint`, but for those of the run before that still
    /// run (they rejoin by themselves); their `cluster.json` entries.
    private func startWorkers(plan: PlacementPlan, names: [String], keys: URL, endpoint: String, previous: LaunchRecord?,
                              group: ProcessGroup, binary: URL) throws -> [[String: Any]] {
        var entries: [[String: Any]] = []
        for (place, name) in zip(plan.processes.dropFirst(), names) {
            if let pid = previous?.runningWorkers[name] {
                entries.append(["role": place.role.rawValue, "index": place.index, "host": place.host, "pid": pid, "name": name,
                                "device": place.device, "endpoint": endpoint, "rejoined": true])
                continue
            }
            let keyArguments = insecure ? ["--insecure"] : ["--keys", ClusterKeys.workerFolder(in: keys, name: name).path, "--name", name]
            let worker = try group.start(binary, ["worker", "--role", place.role.rawValue, "--connect", endpoint, "--device", place.device]
                                             + keyArguments, prefix: "\(place.role)#\(place.index)@\(place.host)")
            entries.append(["role": place.role.rawValue, "index": place.index, "host": place.host, "pid": Int(worker.processIdentifier),
                            "name": name, "device": place.device, "endpoint": endpoint])
        }
        return entries
    }

    /// Writes `cluster.json`: every process, the keys, the endpoint and the operator's key folder (the
    /// control commands read them), and what `--resume` needs to launch the run again.
    private func writeRecord(_ entries: [[String: Any]], keyFiles: [String], endpoint: String, keys: URL, hostfile: String, config: String,
                             folder: URL) throws {
        var cluster: [String: Any] = ["processes": entries, "keys": keyFiles, "secure": !insecure, "launcher": launcher, "endpoint": endpoint,
                                      "hostfile": hostfile, "config": config, "overrides": overrides, "role_timeout": roleTimeout]
        if !insecure { cluster["operator_keys"] = ClusterKeys.operatorFolder(in: keys).path }
        try StagedWrite.file(folder.appendingPathComponent("cluster.json"),
                             contents: JSONSerialization.data(withJSONObject: cluster, options: [.prettyPrinted, .sortedKeys]))
    }

    /// Supervises a learner that still runs from before (this launcher's predecessor was killed): starts
    /// the workers that are gone, waits for the learner to end, then stops what it started.
    private func adopt(learnerPID: Int, previous: LaunchRecord, plan: PlacementPlan, names: [String], keys: URL, folder: URL,
                       group: ProcessGroup, binary: URL, output: String) async throws {
        let learnerPlace = plan.processes[0]
        var entries: [[String: Any]] = [["role": "learner", "index": 0, "host": learnerPlace.host, "pid": learnerPID,
                                          "device": learnerPlace.device, "endpoint": previous.endpoint, "adopted": true]]
        entries += try startWorkers(plan: plan, names: names, keys: keys, endpoint: previous.endpoint, previous: previous, group: group,
                                    binary: binary)
        try writeRecord(entries, keyFiles: previous.keys ?? [], endpoint: previous.endpoint, keys: keys, hostfile: previous.hostfile,
                        config: previous.config, folder: folder)
        let pid = pid_t(learnerPID)
        group.stopOnSignals(learnerPID: pid) { LaunchRecord.isAlive(learnerPID) }
        while LaunchRecord.isAlive(learnerPID) { try await Task.sleep(for: .milliseconds(50)) }
        group.stopAll(after: 10)
        if let signal = group.interruption { Foundation.exit(128 + signal) }
        try StandardOutput.line("the adopted learner (pid \(learnerPID)) has ended; this launcher cannot know its exit status: "
                                + "\(output)/metrics.jsonl says how far it got")
    }
}
