import Foundation
import ModelIO
import Models
import RunLogs
import Storage

/// The output folder of `rlhf sft`: written in place (so the checkpoints a killed run leaves are where
/// `--resume` looks), never over another run, and with the trained model's files each renamed into
/// place once complete.
package enum SFTRunFolder {
    /// What a folder holding an `rlhf sft` run has (a name ending in `*` is a prefix).
    package static let runFiles = ["metrics.jsonl", "checkpoint-*", "model.safetensors", PEFTAdapter.weightsFileName]

    /// Rewrites `metrics.jsonl` (if present) without the lines a run resumed after `step` steps writes
    /// again: those of later steps, and the evaluation logged at `step` itself. A line cut short by a
    /// kill is dropped. The new file replaces the old one atomically.
    package static func rewindMetrics(_ url: URL, toStep step: Int) throws {
        try JSONLRewind.keep(url, where: { object in
            guard let n = (object["step"] as? NSNumber)?.intValue else { return false }
            return n < step || (n == step && object["eval/loss"] == nil)
        }, cannotWrite: { SFTCheckpointError.cannotWrite(file: $0, reason: $1) })
    }

    /// Writes `model` (config.json, model.safetensors) and the tokenizer files into `output`: first into
    /// a hidden staging folder, then each file renamed over its old version, the weights last.
    package static func writeModel(_ model: CausalLM, tokenizerFiles: HuggingFaceTokenizerFiles, to output: URL) throws {
        try write(to: output, weights: "model.safetensors") { staging in
            try HFCheckpoint.save(config: model.config, store: model.parameters, to: staging)
            try tokenizerFiles.write(to: staging)
        }
    }

    /// Writes `adapter` in PEFT's layout (adapter_config.json, adapter_model.safetensors) and the
    /// tokenizer files into `output`, as `writeModel` does, the weights last.
    package static func writeAdapter(_ adapter: LoRAAdapter, baseModel: String, tokenizerFiles: HuggingFaceTokenizerFiles,
                             to output: URL) throws {
        try write(to: output, weights: PEFTAdapter.weightsFileName) { staging in
            try PEFTAdapter.save(adapter, baseModel: baseModel, to: staging)
            try tokenizerFiles.write(to: staging)
        }
    }

    /// Runs `body` on a hidden staging folder inside `output`, then renames each file it wrote into
    /// `output`, the file called `weights` last.
    private static func write(to output: URL, weights: String, _ body: (URL) throws -> Void) throws {
        do {
            let staged = try StagedWrite.Folder(beside: output.appendingPathComponent("model"), hidden: true)
            try body(staged.staging)
            try staged.commitFiles(into: output, last: weights)
        } catch let error as SFTCheckpointError {
            throw error
        } catch {
            throw SFTCheckpointError.cannotWrite(file: output.path, reason: "\(error)")
        }
    }
}
