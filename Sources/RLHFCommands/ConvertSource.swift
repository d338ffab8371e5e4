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
        case .gguf:
            let file = try GGUFFile(url: url)
            var tokenizer: ByteLevelBPETokenizer?
            var metadata: GGUFTokenizerMetadata?
            if includesTokenizer {
                let read = try GGUFTokenizerMetadata(file: file)
                tokenizer = try ggufTokenizer(read, source: path)
                metadata = read
            }
            let (config, parameters) = try GGUFModel.load(file: file)
            let output = try tokenizer.map {
                try writtenFiles($0, source: path, config: config, chatTemplate: metadata?.chatTemplate)
            }
            return ConvertSource(format: format, config: config, parameters: parameters, tokenizer: output ?? .none)
        case .llama2c:
            let (config, parameters) = try Llama2cCheckpoint.load(url: url)
            var output = TokenizerOutput.none
            if includesTokenizer, let tokenizerPath {
                let tokenizer = try TokenizerLoader.load(from: URL(fileURLWithPath: tokenizerPath), llama2cVocabSize: config.vocabSize)
                output = try writtenFiles(tokenizer, source: tokenizerPath, config: config, chatTemplate: nil, model: path)
            }
            return ConvertSource(format: format, config: config, parameters: parameters, tokenizer: output)
        }
    }

    /// The tokenizer files for `tokenizer`, after checking it fits the model's vocabulary.
    private static func writtenFiles(_ tokenizer: any Tokenizer, source: String, config: TransformerConfig,
                                     chatTemplate: String?, model: String? = nil) throws -> TokenizerOutput {
        guard tokenizer.vocabSize <= config.vocabSize else {
            throw ConvertError.vocabularyMismatch(tokenizer: source, tokenizerVocab: tokenizer.vocabSize,
                                                  model: model ?? source, modelVocab: config.vocabSize)
        }
        return .written(try TokenizerJSONWriter.files(for: tokenizer, chatTemplate: chatTemplate,
                                                      modelMaxLength: config.maxPositions, source: source))
    }

    /// The byte-level BPE tokenizer of a GGUF file's metadata.
    private static func ggufTokenizer(_ metadata: GGUFTokenizerMetadata, source: String) throws -> ByteLevelBPETokenizer {
        try ByteLevelBPETokenizer(
            ggufTokens: metadata.tokens, merges: metadata.merges, tokenTypes: metadata.tokenTypes,
            pre: metadata.preTokenizer ?? "default", bos: metadata.bosTokenID, eos: metadata.eosTokenID,
            unknown: metadata.unknownTokenID, padding: metadata.padTokenID,
            addBOS: metadata.addBOS ?? false, addEOS: metadata.addEOS ?? false, model: metadata.model, source: source)
    }
}
