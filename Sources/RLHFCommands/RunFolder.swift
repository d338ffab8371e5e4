import Foundation
import PPO

/// The output rule for a PPO run's folder (`rlhf ppo`, `rlhf learner`, `rlhf launch`): a new run takes a
/// folder the rule gives it and refuses one that already holds a run (so nothing is overwritten).
enum RunFolder {
    /// The commands that write PPO run folders: `rlhf learner` writes into the folder `rlhf launch` made.
    static let family: Set<String> = ["ppo", "learner", "launch"]

    /// The output rule for `--output` of `command`, whose inputs are the run config and every path in it.
    static func rule(_ output: String, command: String, config: PPORunConfig, configFile: String, force: Bool) -> OutputFolder {
        OutputFolder(output, flag: "--output", command: command, family: family, force: force,
                     inputs: [InputPath("--config", configFile)] + config.namedPaths.map { InputPath("\($0.key) in --config", $0.path) },
                     runFiles: PPORunFolder.runFiles)
    }

    /// Claims `rule`'s folder for a new run (or leaves it to the checkpoint for `resume`).
    @discardableResult
    static func prepare(_ rule: OutputFolder, resume: Bool) throws -> RunFolderClaim {
        try rule.prepareRun(resume: resume, resumeHint: "pass --resume to continue it")
    }
}
