import Foundation
import Launch
import Storage

/// What `rlhf launch` recorded of a run in its `cluster.json`, read back by `rlhf launch --resume DIR`:
/// the host file, config and overrides it ran with, the learner's port (the new learner binds it again,
/// so workers still running find it), whether it ran with keys (they are used again), and which of its
/// workers still run.
struct LaunchRecord {
    /// The host file and run config (absolute paths), the `--set` overrides and the role timeout.
    let hostfile: String, config: String, overrides: [String], roleTimeout: Double
    /// The learner's port, and whether the run has CurveZMQ keys.
    let port: Int, secure: Bool
    /// The key files written at launch (nil for an insecure run).
    let keys: [String]?
    /// Each worker still running (its name → pid): a live `rlhf worker` process of this run.
    let runningWorkers: [String: Int]
    /// The learner's pid, when it still runs (the launcher itself was killed): `--resume` adopts it.
    let runningLearner: Int?
    /// The learner's endpoint, and the monitor's.
    let endpoint: String, monitorEndpoint: String?
    /// Every worker the record lists, ended ones too (pid 0: not started yet), and the role targets.
    let workers: [LaunchedWorker], targets: [String: Int]
    /// The launcher and its options.
    let launcher: LauncherOptions

    /// Reads `DIR/cluster.json`; a missing or foreign file is one line (exit 2).
    static func load(_ folder: URL) throws -> LaunchRecord {
        let file = folder.appendingPathComponent("cluster.json")
        let data: Data
        do { data = try SideFile.read(file.path, limit: SideFile.Limit.runConfig, what: "a cluster.json") } catch {
            throw CommandInputError.unreadable(flag: "--resume", path: file.path, reason: "\(error)")
        }
        func malformed(_ what: String) -> CommandInputError {
            .malformed(flag: "--resume", path: file.path, line: 1, reason: "\(what): not a cluster.json of this build's `rlhf launch`")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw malformed("not a JSON object") }
        guard let hostfile = object["hostfile"] as? String, let config = object["config"] as? String,
              let overrides = object["overrides"] as? [String], let roleTimeout = object["role_timeout"] as? Double,
              let endpoint = object["endpoint"] as? String, let secure = object["secure"] as? Bool,
              let processes = object["processes"] as? [[String: Any]] else { throw malformed("a field is missing") }
        guard let port = endpoint.split(separator: ":").last.flatMap({ Int($0) }), (1...65535).contains(port) else {
            throw malformed("the endpoint \(endpoint.prefix(80)) has no port")
        }
        var running: [String: Int] = [:], learner: Int?
        var workers: [LaunchedWorker] = []
        for process in processes {
            if let name = process["name"] as? String, let role = (process["role"] as? String).flatMap(ProcessRole.init(rawValue:)), role != .learner,
               let host = process["host"] as? String, let device = process["device"] as? String {
                var worker = LaunchedWorker(name: name, role: role, place: HostSlot(host: host, slot: process["slot"] as? Int ?? 0), device: device,
                                            pid: process["pid"] as? Int ?? 0)
                worker.state = process["state"] as? String ?? "running"
                worker.replaced = process["replaced"] as? Bool ?? false
                workers.append(worker)
            }
            guard let pid = process["pid"] as? Int, pid > 1 else { continue }
            if process["role"] as? String == "learner" {
                // the learner's --output, resolved from its own working folder, is this run's folder
                if isRunning(pid: pid, as: "learner", naming: folder.resolvingSymlinksInPath().standardizedFileURL.path) { learner = pid }
            } else if let name = process["name"] as? String, isRunning(pid: pid, as: "worker", naming: name) || isRunning(pid: pid, as: "worker", naming: endpoint) {
                running[name] = pid
            }
        }
        return LaunchRecord(hostfile: hostfile, config: config, overrides: overrides, roleTimeout: roleTimeout, port: port, secure: secure,
                            keys: secure ? (object["keys"] as? [String] ?? []) : nil, runningWorkers: running, runningLearner: learner,
                            endpoint: endpoint, monitorEndpoint: object["monitor_endpoint"] as? String, workers: workers,
                            targets: object["targets"] as? [String: Int] ?? [:],
                            launcher: LauncherOptions.from(record: object["launcher_options"] as? [String: Any],
                                                           launcher: object["launcher"] as? String ?? "local"))
    }

    /// Whether `pid` is an `rlhf COMMAND` of this run (one of its arguments is `mark`: a worker's key name or
    /// the learner's endpoint, or, for an absolute `mark`, a path that resolves to it from the process's own
    /// working folder: the learner's run folder), alive and not a zombie: not a reused process id.
    private static func isRunning(pid: Int, as command: String, naming mark: String) -> Bool {
        guard isAlive(pid), let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let arguments = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        guard arguments.dropFirst().first == command else { return false }
        if arguments.contains(mark) { return true }
        // a path argument, relative to the process's own working folder
        guard mark.hasPrefix("/"), let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd") else { return false }
        let base = URL(fileURLWithPath: cwd, isDirectory: true)
        return arguments.contains { URL(fileURLWithPath: $0, relativeTo: base).resolvingSymlinksInPath().standardizedFileURL.path == mark }
    }

    /// Whether process `pid` exists and is not a zombie (a process that ended, not yet reaped by whoever
    /// adopted it, is no longer running).
    static func isAlive(_ pid: Int) -> Bool {
        guard pid > 1, kill(pid_t(pid), 0) == 0 else { return false }
        guard let state = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = state.lastIndex(of: ")") else { return true }
        return !state[close...].hasPrefix(") Z") && !state[close...].hasPrefix(") X")
    }
}
