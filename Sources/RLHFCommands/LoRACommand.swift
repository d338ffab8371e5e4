import ArgumentParser

/// `rlhf lora`: LoRA adapter tools (`merge`).
struct LoRACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lora", abstract: "LoRA adapter tools.", subcommands: [LoRAMergeCommand.self])
}
