import Foundation
import Storage

/// A Hugging Face tokenizer.json as read, with the config files in its folder: what every tokenizer.json
/// reader starts from.
struct TokenizerJSONFile {
    /// The parsed tokenizer.json.
    let json: TokenizerJSONValue
    /// tokenizer_config.json and special_tokens_map.json beside it, where present.
    let config: HuggingFaceTokenizerConfig
    /// The file's path, for errors.
    let path: String

    /// Reads the tokenizer.json at `url` and the config files beside it.
    init(contentsOf url: URL) throws {
        json = try TokenizerJSONValue.read(url, limit: SideFile.Limit.tokenizerJSON)
        config = try HuggingFaceTokenizerConfig(folder: url.deletingLastPathComponent())
        path = url.path
    }

    /// The `model` object, which must be of `type` (`TokenizerError.unsupported` otherwise).
    func model(ofType type: String) throws -> TokenizerJSONValue {
        let found = try HuggingFaceTokenizerJSON.modelType(json, file: path)
        guard found == type else { throw TokenizerError.unsupported(file: path, what: "model type \(found) (expected \(type))") }
        return json["model"]!
    }
}
