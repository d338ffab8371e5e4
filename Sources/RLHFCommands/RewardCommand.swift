import ArgumentParser

/// `rlhf reward`: the reward-model commands (scoring now; training and evaluation join it as subcommands).
struct RewardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reward",
        abstract: "Reward models: sequence classifiers that give a text one scalar score.",
        subcommands: [RewardScoreCommand.self])
}
