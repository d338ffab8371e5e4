import Foundation

/// A run folder a new run took (`OutputFolder.prepareRun`): when the run fails before its first checkpoint,
/// `abandon` takes back what it wrote, so a failed command leaves nothing behind: the folder itself when
/// the run made it, else the logs it started (a new run's folder held none of them before).
struct RunFolderClaim {
    /// The folder.
    let folder: URL
    /// Whether the run created it.
    let created: Bool
    /// Whether the run is a new one (false: a resumed run, whose folder is never touched here).
    let fresh: Bool

    /// The logs a run starts, which `abandon` removes (a name ending in `*` is a prefix).
    static let logs = ["metrics.jsonl", "samples.jsonl", "events.out.tfevents.*", "learner.endpoint"]
    /// What marks a checkpoint, which `abandon` never removes (a name ending in `*` is a prefix).
    static let checkpoints = ["checkpoints", "checkpoint-*"]

    /// Runs `body`; if it throws, `abandon()`s the folder and throws the same error.
    func guarding<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch {
            abandon()
            throw error
        }
    }

    /// Removes what a fresh run wrote, unless it wrote a checkpoint.
    func abandon() {
        guard fresh else { return }
        let files = FileManager.default
        let entries = (try? files.contentsOfDirectory(atPath: folder.path)) ?? []
        func matches(_ name: String, _ patterns: [String]) -> Bool {
            patterns.contains { $0.hasSuffix("*") ? name.hasPrefix($0.dropLast()) : name == $0 }
        }
        guard !entries.contains(where: { matches($0, Self.checkpoints) }) else { return }
        if created && entries.allSatisfy({ matches($0, Self.logs) || $0.hasPrefix(".") }) {
            try? files.removeItem(at: folder)
            return
        }
        for name in entries where matches(name, Self.logs) { try? files.removeItem(at: folder.appendingPathComponent(name)) }
    }
}
