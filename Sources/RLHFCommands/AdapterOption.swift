import ArgumentParser
import Foundation
import ModelIO
import Models

/// `--adapter DIR`: a LoRA adapter in PEFT's layout (written by `rlhf sft|dpo --lora-rank`, or by PEFT's
/// `save_pretrained`) applied to `--model`.
struct AdapterOption: ParsableArguments {
    @Option(help: ArgumentHelp("A LoRA adapter folder in PEFT's layout (adapter_config.json, adapter_model.safetensors) to apply to --model.", valueName: "dir"))
    var adapter: String?

    func validate() throws {
        if let adapter, adapter.isEmpty { throw ValidationError("--adapter is empty; name the adapter folder") }
    }

    /// The paths this option reads.
    var inputs: [InputPath] { adapter.map { [InputPath("--adapter", $0)] } ?? [] }

    /// Loads `--adapter` for `model` and attaches it (or, with `merge`, adds it into the model's weights).
    func apply(to model: CausalLM, merge: Bool) throws {
        guard let adapter else { return }
        let loaded = try Self.load(adapter, for: model)
        if merge { try loaded.merge(into: model.parameters) } else { try model.attach(adapter: loaded) }
    }

    /// The adapter in `folder` for `model`; errors name the file and key.
    static func load(_ folder: String, for model: CausalLM) throws -> LoRAAdapter {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw CommandInputError.unreadable(flag: "--adapter", path: folder, reason: "not a folder")
        }
        return try PEFTAdapter.load(directory: URL(fileURLWithPath: folder), model: model.config, backend: model.backend)
    }
}
