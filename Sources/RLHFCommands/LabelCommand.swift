import ArgumentParser

/// `rlhf label`: collect human preferences in a browser (`serve`) and turn them into training pairs (`export`).
struct LabelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label",
        abstract: "Collect human preference judgements in a browser and export them as training pairs.",
        subcommands: [LabelServeCommand.self, LabelExportCommand.self])
}
