import Foundation
import Storage

/// A process role the launcher starts: the learner or one of the worker roles.
package enum ProcessRole: String, Sendable, Hashable, CaseIterable {
    /// The PPO learner (exactly one per run).
    case learner
    /// A rollout generator.
    case rollout
    /// A reward scorer.
    case reward
    /// A reference worker.
    case reference
}

/// One line of a host file: `HOST slots=N [gpus=0,1,...] [cores=split|shared] [roles=learner,rollout,...]`.
package struct HostEntry: Sendable, Equatable {
    /// The host name (`localhost` for this machine).
    package var host: String
    /// Processes that may run on it.
    package var slots: Int
    /// Its GPUs, in the order slots take them (empty: a CPU host).
    package var gpus: [Int]
    /// The processes to start on it, in slot order (nil: the launcher places the config's counts).
    package var roles: [ProcessRole]?
    /// On a CPU host, whether every process gets all the cores (`cores=shared`: the roles take turns,
    /// as on-policy PPO's phases do) instead of a share each (`cores=split`, the default).
    package var sharesCores = false
    /// The line it came from.
    package var line: Int

    /// An entry as a host-file line declares it.
    package init(host: String, slots: Int, gpus: [Int], roles: [ProcessRole]?, line: Int, sharesCores: Bool = false) {
        self.host = host; self.slots = slots; self.gpus = gpus; self.roles = roles; self.line = line; self.sharesCores = sharesCores
    }
}

/// What is wrong with a host file: the file, the line and what.
package struct HostFileError: Error, Equatable, CustomStringConvertible {
    /// The file.
    package var file: String
    /// The line (1-based; 0 for the file as a whole).
    package var line: Int
    /// What is wrong.
    package var reason: String

    /// Creates an error.
    package init(file: String, line: Int, reason: String) { self.file = file; self.line = line; self.reason = reason }

    package var description: String { line > 0 ? "\(file):\(line): \(reason)" : "\(file): \(reason)" }
}

/// A host file (MPI/DeepSpeed style): one host per line, `#` starts a comment.
package struct HostFile: Sendable, Equatable {
    /// The hosts, in file order.
    package var hosts: [HostEntry]

    /// A host file of `hosts`.
    package init(hosts: [HostEntry]) { self.hosts = hosts }

    /// The host file's text, one line per host, as `parse` reads it back.
    package var text: String {
        hosts.map { entry in
            var fields = [entry.host, "slots=\(entry.slots)"]
            if !entry.gpus.isEmpty { fields.append("gpus=" + entry.gpus.map(String.init).joined(separator: ",")) }
            if entry.sharesCores { fields.append("cores=shared") }
            if let roles = entry.roles { fields.append("roles=" + roles.map(\.rawValue).joined(separator: ",")) }
            return fields.joined(separator: " ") + "\n"
        }.joined()
    }

    /// Reads `url` (at most 1 MiB).
    package static func load(_ url: URL) throws(HostFileError) -> HostFile {
        let data: Data
        do { data = try SideFile.read(url.path, limit: SideFile.Limit.runConfig, what: "a host file") } catch {
            throw HostFileError(file: url.path, line: 0, reason: error.reason)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw HostFileError(file: url.path, line: 0, reason: "not UTF-8 text")
        }
        return try parse(text, file: url.path)
    }

    /// Parses host-file text; `file` names it in errors.
    package static func parse(_ text: String, file: String) throws(HostFileError) -> HostFile {
        var hosts: [HostEntry] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = index + 1
            let content = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard let host = fields.first else { continue }
            func fail(_ reason: String) -> HostFileError { HostFileError(file: file, line: line, reason: reason) }
            guard host.count <= 253, host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._:[]".contains($0)) }),
                  !host.hasPrefix("-") else {
                throw fail("'\(host.prefix(40))' is not a host name")
            }
            guard !hosts.contains(where: { $0.host == host }) else { throw fail("\(host) is listed twice") }
            var slots: Int?, gpus: [Int] = [], roles: [ProcessRole]?, shares: Bool?
            for field in fields.dropFirst() {
                let parts = field.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[1].isEmpty else { throw fail("'\(field.prefix(40))' is not key=value") }
                switch parts[0] {
                case "slots":
                    guard slots == nil else { throw fail("slots given twice") }
                    guard let n = Int(parts[1]), n >= 1, n <= 4096 else { throw fail("slots=\(parts[1].prefix(20)) must be 1 to 4096") }
                    slots = n
                case "gpus":
                    let ids = parts[1].split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
                    guard ids.allSatisfy({ ($0 ?? -1) >= 0 && ($0 ?? 0) < 1024 }), Set(ids).count == ids.count else {
                        throw fail("gpus=\(parts[1].prefix(40)) must be distinct device numbers, comma-separated")
                    }
                    gpus = ids.map { $0! }
                case "cores":
                    guard shares == nil else { throw fail("cores given twice") }
                    guard parts[1] == "split" || parts[1] == "shared" else { throw fail("cores=\(parts[1].prefix(20)) must be split or shared") }
                    shares = parts[1] == "shared"
                case "roles":
                    var list: [ProcessRole] = []
                    for name in parts[1].split(separator: ",", omittingEmptySubsequences: false) {
                        guard let role = ProcessRole(rawValue: String(name)) else {
                            throw fail("unknown role '\(name.prefix(20))' (learner, rollout, reward, reference)")
                        }
                        list.append(role)
                    }
                    roles = list
                default:
                    throw fail("unknown key '\(parts[0].prefix(20))' (slots, gpus, cores, roles)")
                }
            }
            guard let slots else { throw fail("\(host) has no slots=N") }
            if let roles, roles.count > slots { throw fail("roles= lists \(roles.count) processes for \(slots) slots") }
            if !gpus.isEmpty && gpus.count < slots { throw fail("\(slots) slots but \(gpus.count) GPUs: one GPU per slot") }
            if shares != nil && !gpus.isEmpty { throw fail("cores= is for CPU hosts; this one lists gpus=") }
            hosts.append(HostEntry(host: host, slots: slots, gpus: gpus, roles: roles, line: line, sharesCores: shares ?? false))
        }
        guard !hosts.isEmpty else { throw HostFileError(file: file, line: 0, reason: "no hosts") }
        return HostFile(hosts: hosts)
    }
}
