import ArgumentParser
import CUDA
import ClusterTransport
import Dispatch
import Foundation
import Launch
import Logging
import PPO
import Storage
import Wire

/// `rlhf launch`: a whole cluster run from a host file. It prints the placement plan, writes the run's
/// CurveZMQ keys (unless `--insecure`), starts the learner and every worker pinned to its device,
/// forwards their output with a `role@host` prefix, writes `OUTPUT/cluster.json`, stops the run after
/// its current iteration with a checkpoint on Ctrl-C or SIGTERM (everything at once on a second one),
/// and exits non-zero when the learner fails. When the learner dies (killed, or crashed), the workers are
/// left waiting for a new one, and `rlhf launch --resume DIR` continues the run from its newest checkpoint
/// (`LaunchRecord`). `--launcher` says how processes start on their hosts (`LauncherOptions`): `local`,
/// `ssh` (the learner on this machine, the workers over ssh) or `slurm` (every process a job step of the
/// allocation this runs in; without `--hostfile`, the allocation is the host file).
struct LaunchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "launch",
        abstract: "Launch a PPO cluster (learner and workers as processes) from a host file.")

    @Option(help: "The host file: HOST slots=N [gpus=0,1] [roles=learner,rollout,...] per line (slurm: default the allocation's nodes).")
    var hostfile: String?

    @Option(help: "The run config (YAML).")
    var config: String?

    @Option(help: "The run's folder (metrics, checkpoints, cluster.json, keys).")
    var output: String?

    @Option(help: ArgumentHelp("Continue the run in DIR from its newest checkpoint, as its cluster.json says it was launched: a new learner on the same port and keys, and the workers whose processes are gone; workers still running rejoin by themselves.", valueName: "dir"))
    var resume: String?

    @Option(name: .customLong("set"), help: "Override a config key: key=value (repeatable).")
    var overrides: [String] = []

    @OptionGroup var hosts: LauncherOptions

    @Option(help: "The learner's port (0: any free port).")
    var port = 0

    @Flag(help: "Plain tcp without CurveZMQ (loopback experiments only).")
    var insecure = false

    @Option(help: ArgumentHelp("The learner stops the run, with a checkpoint and status 3, when a role it needs has had no usable worker this long.", valueName: "seconds"))
    var roleTimeout: Double = 600

    @OptionGroup var replace: ForceOption

    @Option(help: "Matrix products on the GPUs of gpus= hosts: fp32, tf32 or bf16 (every process gets it).")
    var precision: CUDAPrecision = .fp32

    mutating func validate() throws {
        overrides = RepeatedOptions.unpack(overrides)
        if resume != nil {
            guard hostfile == nil, config == nil, output == nil, overrides.isEmpty, port == 0, !insecure, !replace.force, hosts.launcher == "local" else {
                throw ValidationError("--resume DIR takes the host file, launcher, config, overrides, port and keys from DIR/cluster.json; pass nothing else")
            }
        } else {
            guard hostfile != nil || hosts.launcher == "slurm", config != nil, output != nil else {
                throw ValidationError("pass --hostfile, --config and --output (or --resume DIR)")
            }
        }
        guard roleTimeout >= 1, roleTimeout <= 864_000 else { throw ValidationError("--role-timeout must be between 1 and 864000 seconds") }
        guard (0...65535).contains(port) else { throw ValidationError("--port \(port): expected 0 to 65535") }
    }

    func run() async throws {
        var launch = self
        let previous = try resume.map { try LaunchRecord.load(URL(fileURLWithPath: $0)) }
        if let previous {
            (launch.hostfile, launch.config, launch.output) = (previous.hostfile, previous.config, resume!)
            (launch.overrides, launch.port, launch.insecure, launch.roleTimeout) = (previous.overrides, previous.port, !previous.secure, previous.roleTimeout)
            launch.hosts = previous.launcher
        }
        try await launch.launch(resuming: previous)
    }

    /// Launches the run, or (`previous`: what its cluster.json recorded) continues it.
    private func launch(resuming previous: LaunchRecord?) async throws {
        let (config, output) = (config!, output!)
        let settings = try PPORunConfig.load(URL(fileURLWithPath: config), overrides: overrides)
        let (hostList, hostfile) = try hosts.hosts(self.hostfile)
        let rule = RunFolder.rule(output, command: "launch", config: settings, configFile: config, force: replace.force)
        let folder = URL(fileURLWithPath: rule.resolvedPath)
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let launcher = try hosts.make(binary: binary, folder: folder)
        // each host's cores, asked once (ssh probes the host here, and installs rlhf there when it has none)
        var cores: [String: Int] = [:]
        for entry in hostList.hosts where entry.gpus.isEmpty { cores[entry.host] = try launcher.cores(of: entry.host) }
        let plan = try PlacementPlan.make(hostList, counts: [.learner: 1, .rollout: settings.rolloutWorkers, .reward: settings.rewardWorkers,
                                                             .reference: settings.referenceWorkers],
                                          file: hostfile, cores: { cores[$0] ?? 1 })
        try RunFolder.prepare(rule, resume: previous != nil)
        // absolute, so `--resume` finds them from any folder; the allocation's host file is written into the run's folder
        var hostfilePath = URL(fileURLWithPath: hostfile).standardizedFileURL.path
        if self.hostfile == nil {
            hostfilePath = folder.appendingPathComponent("hosts.slurm.txt").standardizedFileURL.path
            try StagedWrite.file(URL(fileURLWithPath: hostfilePath), contents: Data(hostList.text.utf8))
        }
        let configPath = URL(fileURLWithPath: config).standardizedFileURL.path
        try StandardOutput.line("placement (\(plan.processes.count) processes):")
        for line in plan.lines { try StandardOutput.line("  " + line) }
        let keys = folder.appendingPathComponent("keys")
        let names = plan.processes.filter { $0.role != .learner }.map { "\($0.role)-\($0.index)" }
        if !insecure && previous == nil { _ = try ClusterKeys.generate(in: keys, workers: names) }
        let learnerPlace = plan.processes[0]
        // each process gets its own key folder: the learner's pair and the workers' public keys, or one
        // worker's pair and the learner's public key (no other secret)
        let learnerSecurity = insecure ? ["--insecure"] : ["--keys", try launcher.stage(ClusterKeys.learnerFolder(in: keys), on: learnerPlace.host)]
        let group = ProcessGroup()
        if let previous, let adopted = previous.runningLearner {
            // the launcher was killed, not the learner: the run goes on; this launcher adopts it
            try StandardOutput.line("the learner of this run still runs (pid \(adopted)): adopting it and starting the workers that are gone")
            try await adopt(learnerPID: adopted, previous: previous, plan: plan, hosts: hostList, names: names, keys: keys, folder: folder, group: group,
                            launcher: launcher, cores: cores, output: output)
            return
        }
        let endpointFile = folder.appendingPathComponent("learner.endpoint")
        if previous != nil { try? FileManager.default.removeItem(at: endpointFile) }  // the new learner writes it again once listening
        let address = try launcher.learnerAddress(on: learnerPlace.host)
        let learner = try group.start(launcher.command(["learner", "--config", configPath, "--output", folder.path, "--bind", "tcp://\(address):\(port)",
                                                        "--device", learnerPlace.device, "--precision", precision.rawValue,
                                                        "--role-timeout", "\(roleTimeout)"]
                                                       + learnerSecurity + overrides.flatMap { ["--set", $0] } + (previous != nil ? ["--resume"] : []),
                                                       on: learnerPlace.host),
                                      prefix: "learner@\(learnerPlace.host)")
        while !FileManager.default.fileExists(atPath: endpointFile.path) && learner.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        guard learner.isRunning, let endpoint = try? String(contentsOf: endpointFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) else {
            group.waitAll()
            throw CommandInputError.flags("the learner stopped before it was listening (exit status \(learner.terminationStatus))")
        }
        let monitorEndpoint = try? String(contentsOf: folder.appendingPathComponent("monitor.endpoint"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let learnerEntry: [String: Any] = ["role": "learner", "index": 0, "host": learnerPlace.host, "slot": learnerPlace.slot,
                                           "pid": Int(learner.processIdentifier), "device": learnerPlace.device, "endpoint": endpoint]
        // a worker of the run before that still runs rejoins the new learner by itself
        let workers = try startWorkers(plan: plan, names: names, keys: keys, endpoint: endpoint, previous: previous, group: group, launcher: launcher)
        let record = { (workers: [LaunchedWorker], targets: [String: Int]) -> Void in
            self.writeRecordWarning(learner: learnerEntry, workers: workers, targets: targets, endpoint: endpoint, monitor: monitorEndpoint,
                                  keys: keys, hostfile: hostfilePath, config: configPath, folder: folder)
        }
        let previousTargets = previous?.targets ?? [:]
        record(workers, previousTargets)
        group.stopOnSignals(learner: learner)
        if !insecure { await restoreTargets(previousTargets, endpoint: endpoint, keys: keys) }
        try await supervise(workers, hosts: hostList, keys: keys, endpoint: endpoint, group: group, launcher: launcher, cores: cores,
                            learnerSlot: HostSlot(host: learnerPlace.host, slot: learnerPlace.slot), record: record) { learner.isRunning }
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

    /// Starts the run's workers against `endpoint`: those of `plan` (`names`), or on `--resume` those
    /// `cluster.json` lists as running whose processes are gone (the others rejoin by themselves; ended ones
    /// stay in the record as they were).
    private func startWorkers(plan: PlacementPlan, names: [String], keys: URL, endpoint: String, previous: LaunchRecord?,
                              group: ProcessGroup, launcher: HostLauncher) throws -> [LaunchedWorker] {
        let planned = zip(plan.processes.dropFirst(), names).map { place, name in
            LaunchedWorker(name: name, role: place.role, place: HostSlot(host: place.host, slot: place.slot), device: place.device, pid: 0)
        }
        var workers: [LaunchedWorker] = []
        for var worker in previous?.workers ?? planned {
            if worker.state != "running" {
                workers.append(worker)
            } else if let pid = previous?.runningWorkers[worker.name] {
                (worker.pid, worker.process, worker.rejoined) = (pid, nil, true)
                workers.append(worker)
            } else {
                let process = try startWorker(worker.name, worker.role, worker.place, worker.device, keys: keys, endpoint: endpoint,
                                              group: group, launcher: launcher)
                (worker.pid, worker.process, worker.rejoined) = (Int(process.processIdentifier), process, false)
                workers.append(worker)
            }
        }
        return workers
    }

    /// Starts worker `name` of `role` on `place` pinned to `device`, with its own key folder (copied to its
    /// host first when the hosts do not share files).
    private func startWorker(_ name: String, _ role: ProcessRole, _ place: HostSlot, _ device: String, keys: URL, endpoint: String,
                             group: ProcessGroup, launcher: HostLauncher) throws -> ChildProcess {
        let keyArguments = insecure ? ["--insecure"]
            : ["--keys", try launcher.stage(ClusterKeys.workerFolder(in: keys, name: name), on: place.host), "--name", name]
        let index = name.split(separator: "-").last.map(String.init) ?? "0"
        return try group.start(launcher.command(["worker", "--role", role.rawValue, "--connect", endpoint, "--device", device, "--precision", precision.rawValue] + keyArguments,
                                                on: place.host),
                               prefix: "\(role)#\(index)@\(place.host)")
    }

    /// Runs the reconcile loop (`LaunchSupervisor`) while `isRunning()`: workers that end are noted, and
    /// each role is kept at the learner's target.
    private func supervise(_ workers: [LaunchedWorker], hosts: HostFile, keys: URL, endpoint: String, group: ProcessGroup, launcher: HostLauncher,
                           cores: [String: Int], learnerSlot: HostSlot, record: @escaping ([LaunchedWorker], [String: Int]) -> Void,
                           isRunning: () -> Bool) async throws {
        var logger = Logger(label: "rlhf.launch")
        logger.logLevel = .notice
        let supervisor = LaunchSupervisor(workers: workers, hosts: hosts, keys: insecure ? nil : keys, endpoint: endpoint, logger: logger,
                                          cores: { cores[$0] ?? 1 },
                                          start: { name, role, place, device in
                                              try self.startWorker(name, role, place, device, keys: keys, endpoint: endpoint, group: group, launcher: launcher)
                                          }, record: record)
        while isRunning() {
            await supervisor.tick(learnerSlot: learnerSlot)
            try await Task.sleep(for: .milliseconds(200))
        }
        await supervisor.close()
    }

    /// Sends the learner the role targets the run had before its resume (`rlhf scale` set them).
    private func restoreTargets(_ targets: [String: Int], endpoint: String, keys: URL) async {
        guard !targets.isEmpty, let security = try? ClusterKeys.client(ClusterKeys.operatorFolder(in: keys), name: ClusterKeys.operatorName) else { return }
        var logger = Logger(label: "rlhf.launch")
        logger.logLevel = .error
        for (role, count) in targets.sorted(by: { $0.key < $1.key }) {
            guard let role = WorkerRole(rawValue: role) else { continue }
            _ = try? await OperatorClient.ask(.scale(role: role, count: count, relative: false), endpoint: endpoint, security: security,
                                              timeout: 10, logger: logger)
        }
    }

    /// `writeRecord`, with a failure as a warning line: the run goes on without a true `cluster.json`.
    private func writeRecordWarning(learner: [String: Any], workers: [LaunchedWorker], targets: [String: Int], endpoint: String, monitor: String?,
                                    keys: URL, hostfile: String, config: String, folder: URL) {
        do {
            try writeRecord(learner: learner, workers: workers, targets: targets, endpoint: endpoint, monitor: monitor, keys: keys,
                            hostfile: hostfile, config: config, folder: folder)
        } catch {
            FileHandle.standardError.write(Data("warning: cannot write \(folder.path)/cluster.json: \(MessageEscaping.oneLine("\(error)"))\n".utf8))
        }
    }

    /// Writes `cluster.json`: every process (ended ones too) and the keys, the endpoints and the operator's
    /// key folder (the control commands and the monitor read them), the role targets, and what `--resume`
    /// needs to launch the run again.
    private func writeRecord(learner: [String: Any], workers: [LaunchedWorker], targets: [String: Int], endpoint: String, monitor: String?,
                             keys: URL, hostfile: String, config: String, folder: URL) throws {
        var cluster: [String: Any] = ["processes": [learner] + workers.map { $0.entry(endpoint: endpoint) }, "secure": !insecure,
                                      "launcher": hosts.launcher, "launcher_options": hosts.record, "endpoint": endpoint, "hostfile": hostfile, "config": config,
                                      "overrides": overrides, "role_timeout": roleTimeout, "targets": targets]
        if !insecure {
            cluster["operator_keys"] = ClusterKeys.operatorFolder(in: keys).path
            cluster["keys"] = ClusterKeys.files(in: keys)
        } else {
            cluster["keys"] = [String]()
        }
        if let monitor { cluster["monitor_endpoint"] = monitor }
        try StagedWrite.file(folder.appendingPathComponent("cluster.json"),
                             contents: JSONSerialization.data(withJSONObject: cluster, options: [.prettyPrinted, .sortedKeys]))
    }

    /// Supervises a learner that still runs from before (this launcher's predecessor was killed): starts
    /// the workers that are gone, keeps each role at its target while the learner runs, then stops what it
    /// started.
    private func adopt(learnerPID: Int, previous: LaunchRecord, plan: PlacementPlan, hosts: HostFile, names: [String], keys: URL,
                       folder: URL, group: ProcessGroup, launcher: HostLauncher, cores: [String: Int], output: String) async throws {
        let learnerPlace = plan.processes[0]
        let learnerEntry: [String: Any] = ["role": "learner", "index": 0, "host": learnerPlace.host, "slot": learnerPlace.slot, "pid": learnerPID,
                                           "device": learnerPlace.device, "endpoint": previous.endpoint, "adopted": true]
        let workers = try startWorkers(plan: plan, names: names, keys: keys, endpoint: previous.endpoint, previous: previous, group: group,
                                       launcher: launcher)
        let record = { (workers: [LaunchedWorker], targets: [String: Int]) -> Void in
            self.writeRecordWarning(learner: learnerEntry, workers: workers, targets: targets, endpoint: previous.endpoint,
                                  monitor: previous.monitorEndpoint, keys: keys, hostfile: previous.hostfile, config: previous.config,
                                  folder: folder)
        }
        record(workers, previous.targets)
        let pid = pid_t(learnerPID)
        group.stopOnSignals(learnerPID: pid) { LaunchRecord.isAlive(learnerPID) }
        try await supervise(workers, hosts: hosts, keys: keys, endpoint: previous.endpoint, group: group, launcher: launcher, cores: cores,
                            learnerSlot: HostSlot(host: learnerPlace.host, slot: learnerPlace.slot), record: record) {
            LaunchRecord.isAlive(learnerPID)
        }
        group.stopAll(after: 10)
        if let signal = group.interruption { Foundation.exit(128 + signal) }
        try StandardOutput.line("the adopted learner (pid \(learnerPID)) has ended; this launcher cannot know its exit status: "
                                + "\(output)/metrics.jsonl says how far it got")
    }
}
