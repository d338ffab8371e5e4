import Foundation

/// A real OpenSSH server in each of a test's namespace hosts, on port 2222 of the host's address, with a
/// host key and a client key the test makes; and the ssh config that reaches them as root with that key
/// (`configFile`, for `ssh -F` and `rlhf launch --ssh-config`). `stop()` (or deinit) ends the servers.
package final class SSHServers: @unchecked Sendable {
    /// The ssh config file for the hosts.
    package let configFile: URL
    private let folder: URL
    private let hosts: NamespaceHosts
    private var stopped = false

    /// Starts `sshd` in every host of `hosts`, its files in `folder`, and waits until each answers.
    package init(on hosts: NamespaceHosts, folder: URL) throws {
        self.folder = folder
        self.hosts = hosts
        configFile = folder.appendingPathComponent("ssh_config")
        guard SystemCommand.exists("/usr/sbin/sshd"), SystemCommand.exists("ssh") else {
            throw SystemCommand.Failure(command: ["sshd"], result: .init(status: 127, output: "openssh-server is not installed: make test-deps installs it"))
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        let hostKey = folder.appendingPathComponent("host_key"), clientKey = folder.appendingPathComponent("client_key")
        for key in [hostKey, clientKey] where !FileManager.default.fileExists(atPath: key.path) {
            try SystemCommand.check(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.path])
        }
        let authorized = folder.appendingPathComponent("authorized_keys")
        try FileManager.default.copyItem(at: clientKey.appendingPathExtension("pub"), to: authorized)
        var config = ""
        for host in hosts.hosts {
            config += "Host \(host.address)\n  Port 2222\n  User root\n  IdentityFile \(clientKey.path)\n  IdentitiesOnly yes\n"
                + "  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n"
            let server = folder.appendingPathComponent("sshd-\(host.number).conf")
            try """
            ListenAddress \(host.address)
            Port 2222
            HostKey \(hostKey.path)
            AuthorizedKeysFile \(authorized.path)
            PidFile \(folder.appendingPathComponent("sshd-\(host.number).pid").path)
            UsePAM no
            StrictModes no
            PermitRootLogin prohibit-password
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            LogLevel ERROR

            """.write(to: server, atomically: true, encoding: .utf8)
            try SystemCommand.check(hosts.inside(host, ["/usr/sbin/sshd", "-f", server.path, "-E", folder.appendingPathComponent("sshd-\(host.number).log").path]))
        }
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        for host in hosts.hosts {
            let deadline = Date().addingTimeInterval(20)
            while (try? SystemCommand.run(ssh(host, "true"), timeout: 10))?.status != 0 {
                guard Date() < deadline else {
                    stop()
                    throw SystemCommand.Failure(command: ssh(host, "true"), result: try SystemCommand.run(ssh(host, "true"), timeout: 10))
                }
                usleep(100_000)
            }
        }
    }

    deinit { stop() }

    /// `ssh` to `host` running `command` there.
    package func ssh(_ host: NamespaceHosts.Host, _ command: String) -> [String] {
        ["ssh", "-F", configFile.path, "-o", "BatchMode=yes", host.address, command]
    }

    /// Ends every server (idempotent).
    package func stop() {
        guard !stopped else { return }
        stopped = true
        for host in hosts.hosts {
            let file = folder.appendingPathComponent("sshd-\(host.number).pid").path
            if let text = try? String(contentsOfFile: file, encoding: .utf8), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                kill(pid, SIGTERM)
            }
        }
    }
}
