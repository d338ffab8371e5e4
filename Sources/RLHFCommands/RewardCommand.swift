import ArgumentParser

/// `rlhf reward`: the reward-model commands: scoring, training and evaluation.
struct RewardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reward",
        abstract: "Reward models: sequence classifiers that give a text one scalar score.",
        subcommands: [RewardScoreCommand.self, RewardTrainCommand.self, RewardEvalCommand.self])
}
