import Foundation

/// A process's descendants, read from `/proc`: what a test kills when a program it started (chromedriver)
/// may leave its own children (browsers) behind.
package enum ProcessTree {
    /// Every process below `pid` (children, their children, ...).
    package static func descendants(of pid: pid_t) -> [pid_t] {
        var children: [pid_t: [pid_t]] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let child = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // after "pid (name) state ppid ..."
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = pid_t(fields[1]) { children[parent, default: []].append(child) }
        }
        var found: [pid_t] = [], queue = [pid]
        while let next = queue.popLast() {
            for child in children[next] ?? [] {
                found.append(child)
                queue.append(child)
            }
        }
        return found
    }

    /// SIGKILLs every descendant of `pid`, then `pid` itself, and waits up to `seconds` for them to go.
    package static func kill(_ pid: pid_t, seconds: Double = 5) {
        let all = descendants(of: pid) + [pid]
        for member in all { Foundation.kill(member, SIGKILL) }
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline && all.contains(where: { Foundation.kill($0, 0) == 0 && !isZombie($0) }) { usleep(20_000) }
    }

    private static func isZombie(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return true }
        return stat[close...].hasPrefix(") Z")
    }
}
