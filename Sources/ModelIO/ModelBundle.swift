import Foundation
import Models
import Storage
import Tensor

/// Errors assembling a model with its tokenizer.
public struct ModelBundleError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, with its details: package-internal, so that cases can be added without breaking users.
    package enum Code: Equatable, Sendable {
        /// A llama2.c checkpoint has no tokenizer inside: one must be given.
        case tokenizerRequired(model: String)
        /// A tokenizer was needed and the model folder has none.
        case noTokenizer(model: String)
        /// The tokenizer's vocabulary is larger than the model's.
        case vocabularyMismatch(model: String, tokenizer: String, modelVocab: Int, tokenizerVocab: Int)
    }

    /// What went wrong.
    package let code: Code

    /// The error of `code`.
    package init(_ code: Code) { self.code = code }

    /// A llama2.c checkpoint has no tokenizer inside: one must be given.
    public static func tokenizerRequired(model: String) -> ModelBundleError { ModelBundleError(.tokenizerRequired(model: model)) }
    /// A tokenizer was needed and the model folder has none.
    public static func noTokenizer(model: String) -> ModelBundleError { ModelBundleError(.noTokenizer(model: model)) }
    /// The tokenizer's vocabulary is larger than the model's.
    public static func vocabularyMismatch(model: String, tokenizer: String, modelVocab: Int, tokenizerVocab: Int) -> ModelBundleError { ModelBundleError(.vocabularyMismatch(model: model, tokenizer: tokenizer, modelVocab: modelVocab, tokenizerVocab: tokenizerVocab)) }

    /// A one-line description.
    public var description: String {
        switch code {
        case .tokenizerRequired(let m): "\(m) is a llama2.c checkpoint: pass its tokenizer.bin with --tokenizer"
        case .noTokenizer(let m): "no tokenizer found for \(m): pass one with --tokenizer"
        case let .vocabularyMismatch(m, t, mv, tv):
            "tokenizer \(t) has \(tv) tokens but model \(m) has a vocabulary of \(mv)"
        }
    }
}

/// A model with what is needed to turn text into its tokens and back.
public struct ModelBundle {
    /// Where the weights came from.
    public let format: ModelFormat
    /// Hyper-parameters.
    public let config: TransformerConfig
    /// Weights.
    public let parameters: ParameterStore
    /// The tokenizer, when the path holds one or one was given.
    public let tokenizer: (any Tokenizer)?
    /// The chat template the model's own metadata names (Jinja `chat_template`), if any.
    public let chatTemplate: (any ChatTemplate)?
    /// The raw Jinja chat template, when the model carries one (written back by `convert`).
    public let chatTemplateSource: String?

    /// Loads the model at `path` (HF folder, `.gguf`, llama2.c `.bin`) and its tokenizer: from
    /// `tokenizerPath` when given, else the GGUF metadata or the HF folder's own files.
    /// A llama2.c checkpoint needs `tokenizerPath` when `requireTokenizer` is set. With `loadsTokenizer` false
    /// only the weights (and the chat template source) are read.
    /// The weights live on `backend`.
    public static func load(path: String, tokenizerPath: String? = nil, requireTokenizer: Bool = false,
                            loadsTokenizer: Bool = true, backend: Backend = DefaultBackend.current) throws -> ModelBundle {
        guard FileManager.default.fileExists(atPath: path) else { throw ModelPathError.notFound(path) }
        guard access(path, R_OK) == 0 else { throw ModelPathError.permissionDenied(path) }
        guard let format = ModelFormat.detect(path: path) else { throw ModelPathError.unknownFormat(path) }
        let url = URL(fileURLWithPath: path)
        var tokenizer: (any Tokenizer)?
        var jinja: String?
        let config: TransformerConfig, parameters: ParameterStore
        switch format {
        case .huggingFace:
            (config, parameters) = try HFCheckpoint.load(directory: url, backend: backend)
            if loadsTokenizer, tokenizerPath == nil, Self.folderHasTokenizer(url) { tokenizer = try TokenizerLoader.load(from: url) }
            jinja = Self.chatTemplateSource(inFolder: url)
        case .gguf:
            let loaded = try GGUFModel.load(url: url, backend: backend)
            (config, parameters) = (loaded.config, loaded.parameters)
            let metadata = try GGUFTokenizerMetadata(file: loaded.file)
            if loadsTokenizer, tokenizerPath == nil { tokenizer = try ByteLevelBPETokenizer(gguf: metadata, source: path) }
            jinja = metadata.chatTemplate
        case .llama2c:
            (config, parameters) = try Llama2cCheckpoint.load(url: url, backend: backend)
            if tokenizerPath == nil && requireTokenizer { throw ModelBundleError.tokenizerRequired(model: path) }
        }
        if loadsTokenizer, let tokenizerPath {
            tokenizer = try TokenizerLoader.load(from: URL(fileURLWithPath: tokenizerPath), llama2cVocabSize: config.vocabSize)
        }
        if requireTokenizer && tokenizer == nil { throw ModelBundleError.noTokenizer(model: path) }
        if let t = tokenizer, t.vocabSize > config.vocabSize {
            throw ModelBundleError.vocabularyMismatch(model: path, tokenizer: tokenizerPath ?? path,
                                                      modelVocab: config.vocabSize, tokenizerVocab: t.vocabSize)
        }
        return ModelBundle(format: format, config: config, parameters: parameters, tokenizer: tokenizer,
                           chatTemplate: jinja.flatMap(ChatTemplateSelector.template(fromJinja:)),
                           chatTemplateSource: jinja)
    }

    /// Whether a Hugging Face folder holds tokenizer files (tokenizer.json, vocab.json or vocab.txt).
    public static func folderHasTokenizer(_ folder: URL) -> Bool {
        ["tokenizer.json", "vocab.json", "vocab.txt"].contains {
            FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path)
        }
    }

    /// `chat_template` of the folder's tokenizer_config.json, when it is a string.
    public static func chatTemplateSource(inFolder folder: URL) -> String? {
        let url = folder.appendingPathComponent("tokenizer_config.json")
        guard let data = try? SideFile.read(url.path, limit: SideFile.Limit.tokenizerConfig, what: "a tokenizer_config.json"),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object["chat_template"] as? String
    }
}

extension ByteLevelBPETokenizer {
    /// The byte-level BPE tokenizer a GGUF file's `tokenizer.ggml.*` metadata describes.
    public init(gguf metadata: GGUFTokenizerMetadata, source: String) throws {
        try self.init(ggufTokens: metadata.tokens, merges: metadata.merges, tokenTypes: metadata.tokenTypes,
                      pre: metadata.preTokenizer ?? "default", bos: metadata.bosTokenID, eos: metadata.eosTokenID,
                      unknown: metadata.unknownTokenID, padding: metadata.padTokenID,
                      addBOS: metadata.addBOS ?? false, addEOS: metadata.addEOS ?? false,
                      model: metadata.model, source: source)
    }
}
