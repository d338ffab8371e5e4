import ArgumentParser
import Foundation
import ModelIO

/// `rlhf convert`: a model in any supported format, written as a Hugging Face folder.
struct ConvertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Write a model as a Hugging Face folder that transformers loads as it is.",
        discussion: """
            Reads a Hugging Face folder (a causal LM, or a GPT-2/Llama sequence classifier with one label, \
            written back as the same class), a GGUF file (weights dequantized to float32) or a llama2.c checkpoint \
            and writes config.json, model.safetensors and the tokenizer: tokenizer.json, tokenizer_config.json \
            (special tokens, chat template) and special_tokens_map.json, made from the GGUF metadata or the \
            llama2.c tokenizer.bin; a Hugging Face folder's own tokenizer files are copied. The folder is \
            written as DIR.partial-XXXXXX and renamed to DIR once complete.
            """)

    @Option(help: ArgumentHelp("The model: a Hugging Face folder, a .gguf file or a llama2.c .bin.", valueName: "path"))
    var from: String

    @Option(help: ArgumentHelp("The folder to write: missing, empty or written by rlhf convert before, unless --force.", valueName: "dir"))
    var to: String

    @Option(help: ArgumentHelp("The tokenizer of a llama2.c checkpoint (its tokenizer.bin); required for one.", valueName: "path"))
    var tokenizer: String?

    @Flag(help: "Write only config.json and model.safetensors.")
    var noTokenizer = false

    @Flag(help: "Replace a --to folder that holds files rlhf convert did not write (never one holding an input or the current folder).")
    var force = false

    /// The rule `--to` is written under.
    var outputRule: OutputFolder {
        OutputFolder(to, flag: "--to", command: "convert", force: force,
                     inputs: [InputPath("--from", from)] + (tokenizer.map { [InputPath("--tokenizer", $0)] } ?? []))
    }

    func validate() throws {
        let files = FileManager.default
        guard !to.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw OutputRuleError.unnamed(flag: "--to") }
        guard files.fileExists(atPath: from) else { throw ModelPathError.notFound(from) }
        guard let format = ModelFormat.detect(path: from) else { throw ModelPathError.unknownFormat(from) }
        if let tokenizer {
            guard !noTokenizer else { throw ValidationError("--tokenizer and --no-tokenizer exclude each other") }
            guard format == .llama2c else { throw ConvertError.tokenizerNotApplicable(model: from, format: format) }
            guard files.fileExists(atPath: tokenizer) else { throw ConvertError.tokenizerNotFound(tokenizer) }
        } else if format == .llama2c && !noTokenizer {
            throw ConvertError.tokenizerRequired(model: from)
        }
        _ = try outputRule.check(replacing: true)
    }

    func run() async throws {
        let format = try ModelFormat.detect(path: from).orThrow(ModelPathError.unknownFormat(from))
        let progress = ProgressLine(label: "convert", total: 3)
        let folder = try outputRule.stage()
        defer { folder.discard() }
        progress.update(0, note: "reading \(from)")
        let source = try ConvertSource.load(path: from, format: format, tokenizerPath: tokenizer, includesTokenizer: !noTokenizer)
        progress.update(1, note: "writing model.safetensors")
        try source.weights.save(to: folder.staging)
        progress.update(2, note: "writing the tokenizer")
        try write(source.tokenizer, into: folder.staging)
        try folder.commit()
        progress.update(3, note: "done")
        progress.finish()
        let written = ((try? FileManager.default.contentsOfDirectory(atPath: to).sorted()) ?? []).filter { !$0.hasPrefix(".") }
        try StandardOutput.line("wrote \(to): \(written.joined(separator: ", ")) (\(source.weights.parameterCount) parameters from \(Self.name(of: format)) \(from))")
    }

    private func write(_ tokenizer: ConvertSource.TokenizerOutput, into folder: URL) throws {
        switch tokenizer {
        case .none:
            break
        case .written(let files):
            try files.write(to: folder)
        case .copied(let urls):
            for url in urls {
                let target = folder.appendingPathComponent(url.lastPathComponent)
                do { try FileManager.default.copyItem(at: url, to: target) } catch {
                    throw ConvertError.cannotWrite(target.path, reason: "cannot copy \(url.path)")
                }
            }
        }
    }

    private static func name(of format: ModelFormat) -> String {
        switch format {
        case .huggingFace: "the Hugging Face folder"
        case .gguf: "the GGUF file"
        case .llama2c: "the llama2.c checkpoint"
        }
    }
}

extension Optional {
    /// The value, or `error` thrown.
    fileprivate func orThrow(_ error: @autoclosure () -> Error) throws -> Wrapped {
        guard let value = self else { throw error() }
        return value
    }
}
