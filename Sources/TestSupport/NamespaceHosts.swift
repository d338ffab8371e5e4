import Foundation

/// Hosts a test makes of its own: one network namespace per host, joined to this one by a veth pair, so a
/// cluster's traffic crosses real interfaces between real addresses. Host K (1-based) is `10.77.K.2` in
/// its namespace; this machine is `10.77.K.1` on the other end, and each namespace's default route goes
/// through it, so the hosts reach each other (IP forwarding on) and this machine. The namespaces share
/// this machine's files and processes; only the network is theirs. `close()` (or deinit) deletes them.
package final class NamespaceHosts: @unchecked Sendable {
    /// One host.
    package struct Host: Sendable {
        /// The namespace's name, and its host number (K).
        package let namespace: String, number: Int
        /// The host's address, and this machine's address on the host's link.
        package let address: String, gateway: String
    }

    /// The hosts, in number order.
    package let hosts: [Host]
    private let tag: String
    private var forwarding: String?
    private var closed = false

    /// Makes `count` hosts named `TAG1`, `TAG2`, ... (at most 9 letters of tag), deleting leftovers of an
    /// earlier run with the same names first.
    package init(count: Int, tag: String) throws {
        precondition((1...9).contains(count) && tag.count <= 9)
        self.tag = tag
        hosts = (1...count).map { Host(namespace: "\(tag)\($0)", number: $0, address: "10.77.\($0).2", gateway: "10.77.\($0).1") }
        remove()
        forwarding = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_forward", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            for host in hosts {
                let (outside, inside) = links(host)
                try SystemCommand.check(["ip", "netns", "add", host.namespace])
                try SystemCommand.check(["ip", "link", "add", outside, "type", "veth", "peer", "name", inside])
                try SystemCommand.check(["ip", "link", "set", inside, "netns", host.namespace])
                try SystemCommand.check(["ip", "addr", "add", "\(host.gateway)/24", "dev", outside])
                try SystemCommand.check(["ip", "link", "set", outside, "up"])
                for words in [["ip", "addr", "add", "\(host.address)/24", "dev", inside], ["ip", "link", "set", inside, "up"],
                              ["ip", "link", "set", "lo", "up"], ["ip", "route", "add", "default", "via", host.gateway]] {
                    try SystemCommand.check(["ip", "netns", "exec", host.namespace] + words)
                }
            }
            try "1\n".write(toFile: "/proc/sys/net/ipv4/ip_forward", atomically: false, encoding: .utf8)
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// The veth pair's ends: this machine's, and the one inside the host.
    private func links(_ host: Host) -> (String, String) { ("\(tag)\(host.number)o", "\(tag)\(host.number)i") }

    /// `command` run inside `host`'s namespace (`ip netns exec`).
    package func inside(_ host: Host, _ command: [String]) -> [String] { ["ip", "netns", "exec", host.namespace] + command }

    /// Deletes the namespaces and links (idempotent), and puts IP forwarding back as it was.
    package func close() {
        guard !closed else { return }
        closed = true
        remove()
        if let forwarding { try? "\(forwarding)\n".write(toFile: "/proc/sys/net/ipv4/ip_forward", atomically: false, encoding: .utf8) }
    }

    private func remove() {
        for host in hosts {
            _ = try? SystemCommand.run(["ip", "netns", "del", host.namespace])
            _ = try? SystemCommand.run(["ip", "link", "del", links(host).0])
        }
    }
}
