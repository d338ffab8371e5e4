import Foundation
import Models
import ModelIO

/// A model read for `rlhf convert`: its config and weights, and the tokenizer files to write beside them.
struct ConvertSource {
    /// What goes into the folder beside config.json and model.safetensors.
    enum TokenizerOutput {
        /// No tokenizer (the source has none, or `--no-tokenizer`).
        case none
        /// Files written by `TokenizerJSONWriter` (GGUF metadata, llama2.c tokenizer.bin).
        case written(HuggingFaceTokenizerFiles)
        /// A Hugging Face folder's own tokenizer files, copied as they are.
        case copied([URL])
    }

    let format: ModelFormat
    let config: TransformerConfig
    let parameters: ParameterStore
    let tokenizer: TokenizerOutput

    /// Files of a Hugging Face folder that belong to its tokenizer or generation settings.
    static let copiedFileNames = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
                                  "vocab.json", "merges.txt", "vocab.txt", "tokenizer.model", "chat_template.jinja",
                                  "chat_template.json", "generation_config.json"]

    /// Reads the model at `path` (format already detected as `format`) and, unless `includesTokenizer` is
    /// false, its tokenizer: the GGUF metadata's, the Hugging Face folder's files, or `tokenizerPath` for a
    /// llama2.c checkpoint.
    static func load(path: String, format: ModelFormat, tokenizerPath: String?, includesTokenizer: Bool) throws -> ConvertSource {
        do {
            return try loadFiles(path: path, format: format, tokenizerPath: tokenizerPath, includesTokenizer: includesTokenizer)
        } catch let error as TokenizerWriteError {
            throw ConvertError.tokenizerNotConvertible(reason: error.description)
        } catch TokenizerError.unsupported(let file, let what) {
            throw ConvertError.tokenizerNotConvertible(reason: "\(file): \(what) is not supported")
        }
    }

    private static func loadFiles(path: String, format: ModelFormat, tokenizerPath: String?, includesTokenizer: Bool) throws -> ConvertSource {
        let url = URL(fileURLWithPath: path)
        switch format {
        case .huggingFace:
            let (config, parameters) = try HFCheckpoint.load(directory: url)
            let copies = includesTokenizer
                ? copiedFileNames.map { url.appendingPathComponent($0) }.filter { FileManager.default.fileExists(atPath: $0.path) }
                : []
            return ConvertSource(format: format, config: config, parameters: parameters, tokenizer: copies.isEmpty ? .none : .copied(copies))
        case .gguf, .llama2c:
            // the GGUF metadata's tokenizer, or the llama2.c tokenizer.bin given with --tokenizer
            let bundle = try ModelBundle.load(path: path, tokenizerPath: tokenizerPath, loadsTokenizer: includesTokenizer)
            let output = try bundle.tokenizer.map {
                try writtenFiles($0, source: tokenizerPath ?? path, config: bundle.config, chatTemplate: bundle.chatTemplateSource)
            }
            return ConvertSource(format: format, config: bundle.config, parameters: bundle.parameters, tokenizer: output ?? .none)
        }
    }

    /// The tokenizer files for `tokenizer` (ModelBundle has checked it fits the model's vocabulary).
    private static func writtenFiles(_ tokenizer: any Tokenizer, source: String, config: TransformerConfig,
                                     chatTemplate: String?) throws -> TokenizerOutput {
        return .written(try TokenizerJSONWriter.files(for: tokenizer, chatTemplate: chatTemplate,
                                                      modelMaxLength: config.maxPositions, source: source))
    }
}
