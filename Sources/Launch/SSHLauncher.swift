import Foundation

/// `--launcher ssh`: each process on a host that is not this machine runs through `ssh HOST`, with the
/// user's ssh config and agent (`BatchMode`: a host that would ask for a password is an error, not a
/// prompt). Before its first process, each host is probed once: its cores, its home, and an `rlhf` of this
/// version: `--remote-rlhf`, else `rlhf` on its `PATH`, else this build's tarball (`make dist`), copied
/// once into `REMOTE_DIR/dist/SHA256/`, checked by its sha256 there and unpacked. Each worker's key folder
/// (its own pair and `learner.public`, nothing else) is copied to `REMOTE_DIR/runs/RUN/NAME/` (0700/0600).
/// A remote process starts in this launcher's working folder when the host has it (shared file systems),
/// else in its home, with this launcher's `RLHF_*` variables; it is signalled with `kill` over ssh. When
/// its ssh connection is lost (keep-alives every 5 s, 3 missed) the local ssh ends: a dead worker.
package final class SSHLauncher: HostLauncher, @unchecked Sendable {
    /// What `--launcher ssh` is given.
    package struct Options: Sendable {
        /// `ssh -F FILE` (nil: the user's own config).
        package var config: String?
        /// The folder on each host for installs and key folders (relative: to the host's home).
        package var remoteDir = ".rlhf"
        /// `rlhf` on the hosts (nil: look it up, then install the tarball).
        package var remoteRLHF: String?
        /// The relocatable tarball (`make dist`) for hosts without `rlhf`.
        package var tarball: URL?
        /// The address of this machine the learner binds and the hosts reach (nil: this machine's name's).
        package var learnerAddress: String?

        /// Options.
        package init(config: String? = nil, remoteDir: String = ".rlhf", remoteRLHF: String? = nil, tarball: URL? = nil, learnerAddress: String? = nil) {
            self.config = config; self.remoteDir = remoteDir; self.remoteRLHF = remoteRLHF; self.tarball = tarball
            self.learnerAddress = learnerAddress
        }
    }

    /// What the probe learned of a host.
    private struct Prepared { var cores: Int, rlhf: String, folder: String }

    private let options: Options
    private let local: LocalLauncher
    private let ssh: URL
    private let version: String
    private let run: String
    private let environment: [String: String]
    private let workingFolder: String
    private let lock = NSLock()
    private var prepared: [String: Prepared] = [:]
    private var tarballDigest: String?

    /// A launcher of `binary` (this `rlhf`, version `version`) for run `run` (a short name of the run's
    /// folder, for the remote key folders), passing on `environment` (the `RLHF_*` variables).
    package init(options: Options, binary: URL, version: String, run: String, environment: [String: String]) throws(LaunchError) {
        guard let ssh = ShortCommand.find("ssh") else { throw LaunchError(host: "", reason: "--launcher ssh: no ssh on PATH (apt-get install openssh-client)") }
        self.options = options
        self.local = LocalLauncher(binary: binary)
        self.ssh = ssh
        self.version = version
        self.run = run
        self.environment = environment.filter { $0.key.hasPrefix("RLHF_") }
        self.workingFolder = FileManager.default.currentDirectoryPath
    }

    package func stage(_ folder: URL, on host: String) throws(LaunchError) -> String {
        if LocalLauncher.names.contains(host) { return folder.path }
        let target = "\(try prepare(host).folder)/runs/\(run)"
        let archive: ShortCommand.Result
        do {
            archive = try ShortCommand.run(URL(fileURLWithPath: "/bin/tar"), ["-C", folder.deletingLastPathComponent().path, "-cf", "-",
                                                                              folder.lastPathComponent], timeout: 30)
        } catch { throw LaunchError(host: host, reason: "cannot pack \(folder.path): \(error)") }
        guard archive.status == 0 else { throw LaunchError(host: host, reason: "cannot pack \(folder.path): \(archive.lastErrorLine)") }
        let q = ShellWords.quote(target), name = ShellWords.quote(folder.lastPathComponent)
        _ = try remote(host, "umask 077 && mkdir -p \(q) && rm -rf \(q)/\(name) && tar -xf - -C \(q) && chmod -R go-rwx \(q)/\(name)",
                       data: archive.stdout, what: "copying the key folder \(folder.lastPathComponent)")
        return "\(target)/\(folder.lastPathComponent)"
    }

    package func command(_ arguments: [String], on host: String) throws(LaunchError) -> HostCommand {
        if LocalLauncher.names.contains(host) { return try local.command(arguments, on: host) }
        let rlhf = try prepare(host).rlhf
        let variables = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\(ShellWords.quote($0.value))" }.joined(separator: " ")
        let line = "cd \(ShellWords.quote(workingFolder)) 2>/dev/null || cd; printf '\\001rlhf-remote %s\\n' \"$$\"; "
            + "exec env \(variables) \(ShellWords.quote(rlhf)) \(ShellWords.join(arguments))"
        let handle = RemoteHandle { [self] pid, signal in
            _ = try? ShortCommand.run(ssh, base(host) + ["kill -\(signal) \(ShellWords.quote(pid)) 2>/dev/null"], timeout: 15)
        }
        return HostCommand(executable: ssh, arguments: base(host) + [line], remote: handle)
    }

    package func cores(of host: String) throws(LaunchError) -> Int {
        LocalLauncher.names.contains(host) ? DeviceSpec.allowedCores().count : try prepare(host).cores
    }

    /// `--learner-address`, else this machine's name's address; the learner runs on this machine.
    package func learnerAddress(on host: String) throws(LaunchError) -> String {
        guard LocalLauncher.names.contains(host) else {
            throw LaunchError(host: host, reason: "--launcher ssh runs the learner on this machine: put a localhost line with roles=learner first")
        }
        let address = try NumericAddress.resolve(options.learnerAddress ?? ProcessInfo.processInfo.hostName, host: host)
        guard !address.hasPrefix("127.") else {
            throw LaunchError(host: host, reason: "this machine's name resolves to \(address), which other hosts cannot reach: pass --learner-address ADDRESS")
        }
        return address
    }

    /// ssh's arguments up to the remote command.
    private func base(_ host: String) -> [String] {
        (options.config.map { ["-F", $0] } ?? []) + ["-o", "BatchMode=yes", "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3",
                                                     "-o", "ConnectTimeout=15", host]
    }

    /// Runs `line` on `host` and returns its output; a failure names `what`.
    private func remote(_ host: String, _ line: String, input: URL? = nil, data: Data? = nil, timeout: Double = 60, what: String) throws(LaunchError) -> String {
        let result: ShortCommand.Result
        do { result = try ShortCommand.run(ssh, base(host) + [line], input: input, data: data, timeout: timeout) } catch {
            throw LaunchError(host: host, reason: "\(what): cannot run ssh: \(error)")
        }
        guard result.status == 0 else {
            let why = result.status == -1 ? "no answer in \(Int(timeout)) s" : result.status == 255 ? "ssh failed: \(result.lastErrorLine)"
                : "exit status \(result.status): \(result.lastErrorLine)"
            throw LaunchError(host: host, reason: "\(what): \(why)")
        }
        return result.text
    }

    /// Probes `host` once (cores, home, rlhf) and installs the tarball there when it has no `rlhf` of this version.
    private func prepare(_ host: String) throws(LaunchError) -> Prepared {
        if let known = lock.withLock({ prepared[host] }) { return known }
        let wanted = options.remoteRLHF ?? "rlhf"
        let probe = try remote(host, "echo cores $(getconf _NPROCESSORS_ONLN); echo home \"$HOME\"; "
                               + "if command -v \(ShellWords.quote(wanted)) >/dev/null 2>&1; then echo version $(\(ShellWords.quote(wanted)) --version 2>/dev/null); fi",
                               timeout: 30, what: "probing the host")
        var fields: [String: String] = [:]
        for line in probe.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        guard let cores = fields["cores"].flatMap({ Int($0) }), cores >= 1, let home = fields["home"], home.hasPrefix("/") else {
            throw LaunchError(host: host, reason: "probing the host: unexpected answer \(probe.prefix(100).debugDescription)")
        }
        let folder = options.remoteDir.hasPrefix("/") ? options.remoteDir : "\(home)/\(options.remoteDir)"
        var rlhf = wanted
        if fields["version"] != version {
            if let given = options.remoteRLHF {
                throw LaunchError(host: host, reason: fields["version"].map { "--remote-rlhf \(given) is version \($0); this is \(version)" }
                                  ?? "--remote-rlhf \(given) is not an executable rlhf there")
            }
            rlhf = try install(on: host, folder: folder, found: fields["version"])
        }
        let ready = Prepared(cores: cores, rlhf: rlhf, folder: folder)
        lock.withLock { prepared[host] = ready }
        return ready
    }

    /// Copies the tarball to `host` once (kept by its sha256 under `FOLDER/dist/`), checks it there, unpacks
    /// it, and returns its `rlhf`.
    private func install(on host: String, folder: String, found: String?) throws(LaunchError) -> String {
        guard let tarball = options.tarball else {
            throw LaunchError(host: host, reason: (found.map { "its rlhf is version \($0), this is \(version)" } ?? "no rlhf on its PATH")
                              + ": pass --dist TARBALL (make dist) or --remote-rlhf PATH")
        }
        let digest = try digestOfTarball(tarball)
        let dist = "\(folder)/dist", place = "\(folder)/dist/\(digest)"
        let installed = ShellWords.quote("\(place)/rlhf")
        let check = try remote(host, "if test -x \(installed) && test \"$(\(installed) --version)\" = \(ShellWords.quote(version)); then echo yes; fi",
                               what: "looking for an earlier install")
        if check.hasPrefix("yes") { return "\(place)/rlhf" }
        let partial = ShellWords.quote("\(dist)/.\(digest).partial"), unpack = ShellWords.quote("\(dist)/.\(digest).unpack")
        _ = try remote(host, "umask 022 && mkdir -p \(ShellWords.quote(dist)) && cat > \(partial)", input: tarball, timeout: 600,
                       what: "copying \(tarball.lastPathComponent)")
        _ = try remote(host, "cd \(ShellWords.quote(dist)) && echo \(ShellWords.quote("\(digest)  .\(digest).partial")) | sha256sum -c --status "
                       + "|| { rm -f \(partial); echo 'the copy does not match its sha256' >&2; exit 1; }; "
                       + "rm -rf \(unpack) && mkdir \(unpack) && tar -xJf \(partial) -C \(unpack) && rm -rf \(ShellWords.quote(place)) "
                       + "&& mv \(unpack)/rlhf-* \(ShellWords.quote(place)) && rm -rf \(unpack) \(partial) && \(installed) --version",
                       timeout: 300, what: "unpacking \(tarball.lastPathComponent)")
        return "\(place)/rlhf"
    }

    /// The tarball's sha256, computed once.
    private func digestOfTarball(_ tarball: URL) throws(LaunchError) -> String {
        if let known = lock.withLock({ tarballDigest }) { return known }
        let result: ShortCommand.Result
        do { result = try ShortCommand.run(URL(fileURLWithPath: "/usr/bin/sha256sum"), [tarball.path], timeout: 120) } catch {
            throw LaunchError(host: "", reason: "--dist \(tarball.path): \(error)")
        }
        guard result.status == 0, let digest = result.text.split(separator: " ").first.map(String.init), digest.count == 64 else {
            throw LaunchError(host: "", reason: "--dist \(tarball.path): \(result.lastErrorLine)")
        }
        lock.withLock { tarballDigest = digest }
        return digest
    }
}
