import Cluster
import Foundation

/// The output folder of a PPO run (`rlhf ppo`, `rlhf learner`, `rlhf launch`): a new run takes a folder
/// under the output rule and refuses one that already holds a run (so nothing is overwritten), and a
/// resumed run rewinds its JSONL logs to the checkpoint it continues from.
enum RunFolder {
    /// The files of a run that a new run must not append to.
    static let runFiles = ["metrics.jsonl", "samples.jsonl", "checkpoints"]

    /// The commands that write PPO run folders: `rlhf learner` writes into the folder `rlhf launch` made.
    static let family: Set<String> = ["ppo", "learner", "launch"]

    /// The output rule for `--output` of `command`, whose inputs are the run config and every path in it.
    static func rule(_ output: String, command: String, config: PPORunConfig, configFile: String, force: Bool) -> OutputFolder {
        OutputFolder(output, flag: "--output", command: command, family: family, force: force,
                     inputs: [InputPath("--config", configFile)] + config.namedPaths.map { InputPath("\($0.key) in --config", $0.path) },
                     runFiles: runFiles)
    }

    /// Claims `rule`'s folder for a new run (or leaves it to the checkpoint for `resume`).
    @discardableResult
    static func prepare(_ rule: OutputFolder, resume: Bool) throws -> RunFolderClaim {
        try rule.prepareRun(resume: resume, resumeHint: "pass --resume to continue it")
    }

    /// Rewrites the JSONL file `url` (if present) keeping only the lines whose `iteration` is below
    /// `iteration`: the lines a resumed run would otherwise repeat. The new file replaces the old one
    /// atomically.
    static func rewind(_ url: URL, toIterationsBelow iteration: Int) throws {
        try JSONLRewind.keep(url, where: { object in
            guard let n = (object["iteration"] as? NSNumber)?.doubleValue else { return false }
            return n < Double(iteration)
        }, cannotWrite: { PPOCheckpointError.cannotWrite(file: $0, reason: $1) })
    }
}
