import Foundation

/// What `--policy PATH` names, resolved to the model to load: a model (a Hugging Face folder, a .gguf
/// file, a llama2.c .bin), a PPO run folder (its newest checkpoint's policy), or a checkpoint folder (its
/// policy).
enum PolicyLocation {
    /// The model path `path` stands for, and a name for the report (the run's folder name for a run).
    static func resolve(_ path: String) throws -> (model: String, name: String) {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw CommandInputError.unreadable(flag: "--policy", path: path, reason: "no such file or folder")
        }
        guard isFolder.boolValue else { return (path, url.deletingPathExtension().lastPathComponent) }
        let checkpoints = url.appendingPathComponent("checkpoints")
        if manager.fileExists(atPath: checkpoints.path) {
            let names = ((try? manager.contentsOfDirectory(atPath: checkpoints.path)) ?? [])
                .filter { $0.hasPrefix("iteration-") && Int($0.dropFirst("iteration-".count)) != nil }.sorted()
            guard let newest = names.last else {
                throw CommandInputError.unreadable(flag: "--policy", path: path,
                                                   reason: "is a run folder with no checkpoint yet (a run saves one every save_every iterations and at its end)")
            }
            return (checkpoints.appendingPathComponent(newest).appendingPathComponent("policy").path, url.lastPathComponent)
        }
        let policy = url.appendingPathComponent("policy")
        if manager.fileExists(atPath: policy.appendingPathComponent("config.json").path) {
            return (policy.path, url.deletingLastPathComponent().deletingLastPathComponent().lastPathComponent + "@" + url.lastPathComponent)
        }
        return (path, url.lastPathComponent)
    }
}
