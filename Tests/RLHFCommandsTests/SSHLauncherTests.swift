import Foundation
import TestSupport
import XCTest

/// `rlhf launch --launcher ssh` across two hosts the test makes (network namespaces, each with a real
/// sshd): the learner on this machine at its address on host 1's link, the workers over ssh on the hosts,
/// which have no rlhf and get `make dist`'s tarball. The run finishes with the embedded run's numbers,
/// although one remote worker is killed with `kill -9` over ssh on the way.
final class SSHLauncherTests: XCTestCase {
    func testRunAcrossNamespaceHostsSurvivesAWorkerKilledOverSSH() throws {
        let binary = RLHFBinary.url(besideBundleOf: Self.self)
        let tarball = try DistTarball.locate()
        let root = try temporaryFolder("rlhf-ssh")
        let hosts = try NamespaceHosts(count: 2, tag: "rlhfssh")
        defer { hosts.close() }
        let servers = try SSHServers(on: hosts, folder: root.appendingPathComponent("ssh"))
        defer { servers.stop() }
        let (first, second) = (hosts.hosts[0], hosts.hosts[1])
        let hostfile = root.appendingPathComponent("hosts.txt")
        try "localhost slots=1 roles=learner\n\(first.address) slots=2 cores=shared\n\(second.address) slots=2 cores=shared\n"
            .write(to: hostfile, atomically: true, encoding: .utf8)
        let remote = root.appendingPathComponent("remote")
        // long enough that the killed worker is started again before the run ends (one iteration takes ~0.1 s)
        let iterations = 60
        let sets = ["iterations=\(iterations)", "eval_every=0", "save_every=0"].flatMap { ["--set", $0] }
        let run = try LaunchedRun.start(binary, ["--launcher", "ssh", "--ssh-config", servers.configFile.path, "--learner-address", first.gateway,
                                                 "--dist", tarball.path, "--remote-dir", remote.path] + sets,
                                        in: root, hostfile: hostfile, waitingFor: 2)
        defer { run.killAll() }
        XCTAssertTrue(run.process.isRunning, String(run.log.suffix(3000)))

        // every worker runs on its host: in that host's namespace, from the tarball installed there
        let workers = run.processes.filter { $0["role"] as? String != "learner" }
        XCTAssertEqual(workers.count, 4)
        XCTAssertTrue((run.cluster["endpoint"] as? String)?.hasPrefix("tcp://\(first.gateway):") == true, "the learner binds its address on host 1's link")
        let installed = remote.appendingPathComponent("dist").path
        for worker in workers {
            let host = try XCTUnwrap(hosts.hosts.first { $0.address == worker["host"] as? String })
            let name = try XCTUnwrap(worker["name"] as? String)
            let pids = workerPIDs(of: name, installedUnder: installed)
            XCTAssertEqual(pids.count, 1, "\(name) runs once, from the tarball installed on its host")
            for pid in pids {
                XCTAssertEqual(try SystemCommand.check(["ip", "netns", "identify", pid]).trimmingCharacters(in: .whitespacesAndNewlines),
                               host.namespace, "\(name) is in its host's network")
            }
            let keys = try FileManager.default.contentsOfDirectory(atPath: remote.appendingPathComponent("runs").path)
            XCTAssertEqual(keys.count, 1)
            let copied = try FileManager.default.contentsOfDirectory(atPath: remote.appendingPathComponent("runs/\(keys[0])/\(name)").path).sorted()
            XCTAssertEqual(copied, ["learner.public", "\(name).key"], "a host gets only its workers' own keys")
        }

        // kill -9 one remote worker over ssh: its ssh ends, the launcher starts it again, the run goes on
        let victim = try XCTUnwrap(workers.first { $0["name"] as? String == "rollout-0" })
        let victimHost = try XCTUnwrap(hosts.hosts.first { $0.address == victim["host"] as? String })
        let pid = try XCTUnwrap(workerPIDs(of: "rollout-0", installedUnder: installed).first)
        try SystemCommand.check(servers.ssh(victimHost, "kill -9 \(pid)"))
        XCTAssertTrue(run.wait(seconds: 240) { !run.process.isRunning }, String(run.log.suffix(3000)))
        XCTAssertEqual(run.process.terminationStatus, 0, String(run.log.suffix(3000)))
        XCTAssertTrue(run.log.contains("rollout-0 exited 255: starting it again"), String(run.log.suffix(3000)))
        try run.assertMatchesEmbedded(sets, iterations: iterations)
    }

    /// Ctrl-C twice (stop now) ends the remote workers too: the launcher signals them on their hosts over
    /// ssh, since ending a local ssh client does not end the remote command.
    func testInterruptStopsTheRemoteProcesses() throws {
        let binary = RLHFBinary.url(besideBundleOf: Self.self)
        let tarball = try DistTarball.locate()
        let root = try temporaryFolder("rlhf-ssh-stop")
        let hosts = try NamespaceHosts(count: 2, tag: "rlhfstop")
        defer { hosts.close() }
        let servers = try SSHServers(on: hosts, folder: root.appendingPathComponent("ssh"))
        defer { servers.stop() }
        let hostfile = root.appendingPathComponent("hosts.txt")
        try "localhost slots=1 roles=learner\n\(hosts.hosts[0].address) slots=2 cores=shared\n\(hosts.hosts[1].address) slots=2 cores=shared\n"
            .write(to: hostfile, atomically: true, encoding: .utf8)
        let remote = root.appendingPathComponent("remote")
        let run = try LaunchedRun.start(binary, ["--launcher", "ssh", "--ssh-config", servers.configFile.path, "--learner-address", hosts.hosts[0].gateway,
                                                 "--dist", tarball.path, "--remote-dir", remote.path, "--set", "iterations=100000", "--set", "save_every=0"],
                                        in: root, hostfile: hostfile, waitingFor: 2)
        defer { run.killAll() }
        let installed = remote.appendingPathComponent("dist").path
        let names = ["rollout-0", "rollout-1", "reward-0", "reference-0"]
        XCTAssertEqual(names.map { workerPIDs(of: $0, installedUnder: installed).count }, [1, 1, 1, 1], String(run.log.suffix(3000)))
        kill(run.process.processIdentifier, SIGINT)
        usleep(200_000)
        kill(run.process.processIdentifier, SIGINT)
        XCTAssertTrue(run.wait(seconds: 30) { !run.process.isRunning }, String(run.log.suffix(3000)))
        XCTAssertEqual(run.process.terminationStatus, 128 + SIGINT)
        XCTAssertTrue(run.wait(seconds: 10) { names.allSatisfy { workerPIDs(of: $0, installedUnder: installed).isEmpty } },
                      "no remote worker is left: \(names.map { workerPIDs(of: $0, installedUnder: installed) })")
    }

    /// The pids of the `rlhf worker` processes named `name` running `rlhf` from under `installed` (the
    /// hosts share this machine's process table; only their networks are their own).
    private func workerPIDs(of name: String, installedUnder installed: String) -> [String] {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { Int($0) != nil }
        return pids.filter { pid in
            guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                  let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe"), exe.hasPrefix(installed) else { return false }
            let arguments = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard arguments.count > 2, arguments[1] == "worker", let at = arguments.firstIndex(of: "--name") else { return false }
            return arguments.indices.contains(at + 1) && arguments[at + 1] == name
        }
    }
}
