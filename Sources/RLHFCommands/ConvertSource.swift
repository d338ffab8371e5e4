import Foundation
import ModelIO
import Models

/// A model read for `rlhf convert`: its weights (a causal LM or a sequence classifier), and the tokenizer
/// files to write beside them.
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
    let weights: ConvertWeights
    let tokenizer: TokenizerOutput

    /// Files of a Hugging Face folder that belong to its tokenizer or generation settings.
    static let copiedFileNames = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
                                  "vocab.json", "merges.txt", "vocab.txt", "tokenizer.model", "chat_template.jinja",
                                  "chat_template.json", "generation_config.json"]

    /// Reads the model at `path` (format already detected as `format`; a Hugging Face folder may be a causal
    /// LM or a one-label sequence classifier) and, unless `includesTokenizer` is false, its tokenizer: the
    /// GGUF metadata's, the Hugging Face folder's files, or `tokenizerPath` for a llama2.c checkpoint.
    static func load(path: String, format: ModelFormat, tokenizerPath: String?, includesTokenizer: Bool) throws -> ConvertSource {
        do {
            return try loadFiles(path: path, format: format, tokenizerPath: tokenizerPath, includesTokenizer: includesTokenizer)
        } catch let error as TokenizerWriteError {
            throw ConvertError.tokenizerNotConvertible(reason: error.description)
        } catch let error as TokenizerError {
            guard case let .unsupported(file, what) = error.code else { throw error }
            throw ConvertError.tokenizerNotConvertible(reason: "\(file): \(what) is not supported")
        }
    }

    private static func loadFiles(path: String, format: ModelFormat, tokenizerPath: String?, includesTokenizer: Bool) throws -> ConvertSource {
        let url = URL(fileURLWithPath: path)
        switch format {
        case .huggingFace:
            let weights = try huggingFaceWeights(url)
            let copies = includesTokenizer
                ? copiedFileNames.map { url.appendingPathComponent($0) }.filter { FileManager.default.fileExists(atPath: $0.path) }
                : []
            return ConvertSource(format: format, weights: weights, tokenizer: copies.isEmpty ? .none : .copied(copies))
        case .gguf, .llama2c:
            // the GGUF metadata's tokenizer, or the llama2.c tokenizer.bin given with --tokenizer
            let bundle = try ModelBundle.load(path: path, tokenizerPath: tokenizerPath, loadsTokenizer: includesTokenizer)
            let output = try bundle.tokenizer.map {
                try writtenFiles($0, source: tokenizerPath ?? path, config: bundle.config, chatTemplate: bundle.chatTemplateSource)
            }
            return ConvertSource(format: format, weights: .causalLM(bundle.config, bundle.parameters), tokenizer: output ?? .none)
        }
    }

    /// The weights of a Hugging Face folder: a sequence classifier when its config names one, else a causal LM.
    private static func huggingFaceWeights(_ url: URL) throws -> ConvertWeights {
        if try HFSequenceClassifier.isSequenceClassifier(directory: url) { return .classifier(try HFSequenceClassifier.load(directory: url)) }
        let (config, parameters) = try HFCheckpoint.load(directory: url)
        return .causalLM(config, parameters)
    }

    /// The tokenizer files for `tokenizer` (ModelBundle has checked it fits the model's vocabulary).
    private static func writtenFiles(_ tokenizer: any Tokenizer, source: String, config: TransformerConfig,
                                     chatTemplate: String?) throws -> TokenizerOutput {
        return .written(try TokenizerJSONWriter.files(for: tokenizer, chatTemplate: chatTemplate,
                                                      modelMaxLength: config.maxPositions, source: source))
    }
}
