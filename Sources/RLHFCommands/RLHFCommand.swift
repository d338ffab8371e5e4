import ArgumentParser

/// `rlhf`: the root of the command tree; one file per subcommand.
public struct RLHFCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "rlhf",
        abstract: "Reinforcement learning from human feedback: SFT, reward models, PPO and DPO.",
        version: "0.1.0",
        subcommands: [])

    public init() {}
}
