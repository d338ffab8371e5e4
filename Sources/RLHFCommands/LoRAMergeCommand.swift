import ArgumentParser
import Foundation
import ModelIO
import Models

/// `rlhf lora merge`: a model with a LoRA adapter merged into its weights (W += alpha/r · B·A, PEFT's
/// `merge_and_unload`), written as a full Hugging Face folder with the model's tokenizer when it has one.
struct LoRAMergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Merge a LoRA adapter into its base model and write a Hugging Face folder.")

    @OptionGroup var model: ModelOptions

    @Option(help: ArgumentHelp("The adapter folder in PEFT's layout.", valueName: "dir"))
    var adapter: String

    @Option(help: ArgumentHelp("The folder to write (replaced when rlhf lora merge wrote it before, or with --force).", valueName: "dir"))
    var output: String

    @OptionGroup var replace: ForceOption

    func validate() throws {
        guard !adapter.isEmpty else { throw ValidationError("--adapter is empty; name the adapter folder") }
        guard !output.isEmpty else { throw ValidationError("--output is empty; name the folder") }
    }

    /// The rule `--output` is written under.
    var outputRule: OutputFolder {
        OutputFolder(output, flag: "--output", command: "lora merge", force: replace.force,
                     inputs: model.inputs + [InputPath("--adapter", adapter)])
    }

    func run() async throws {
        _ = try outputRule.check(replacing: true)
        let (lm, bundle) = try model.load(needsTokenizer: false)
        let loaded = try AdapterOption.load(adapter, for: lm)
        try loaded.merge(into: lm.parameters)
        if let name = lm.parameters.firstNonFiniteTensor() {
            throw CommandInputError.nonFiniteWeights(tensor: name, why: "merging --adapter \(adapter) into --model \(model.model) overflows; the adapter is broken")
        }
        let folder = try outputRule.stage()
        defer { folder.discard() }
        try HFCheckpoint.save(config: lm.config, store: lm.parameters, to: folder.staging)
        if let tokenizer = bundle.tokenizer {
            try TokenizerJSONWriter.files(for: tokenizer, chatTemplate: bundle.chatTemplateSource, modelMaxLength: lm.config.maxPositions,
                                          source: model.model).write(to: folder.staging)
        }
        try folder.commit()
        try StandardOutput.line("lora merge: rank \(loaded.config.rank), alpha \(loaded.config.alpha), \(loaded.config.targets.joined(separator: ",")) merged into \(model.model); wrote \(output)")
    }
}
