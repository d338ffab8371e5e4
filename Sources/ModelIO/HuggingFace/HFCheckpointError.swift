/// Why a Hugging Face checkpoint folder could not be loaded or saved. Each message is one line naming the
/// file and the `config.json` field or Hugging Face tensor key. Errors inside a safetensors file itself come
/// as `SafetensorsError`.
public struct HFCheckpointError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, with its details: package-internal, so that cases can be added without breaking users.
    package enum Code: Equatable, Sendable {
        /// `config.json` (or a shard index) is missing or unreadable.
        case unreadableFile(file: String, reason: String)
        /// A JSON file is not the expected structure.
        case malformedJSON(file: String, reason: String)
        /// A required `config.json` field is absent.
        case missingField(file: String, key: String)
        /// A `config.json` field has a value of the wrong type or out of range.
        case invalidField(file: String, key: String, value: String, expected: String)
        /// `architectures` / `model_type` name a model this runtime does not implement.
        case unknownArchitecture(file: String, value: String)
        /// A field asks for a variant of the architecture this runtime does not implement.
        case unsupportedFeature(file: String, key: String, value: String, reason: String)
        /// The folder holds neither `model.safetensors` nor `model.safetensors.index.json`.
        case noWeights(directory: String)
        /// A tensor the architecture needs is absent.
        case missingTensor(file: String, key: String)
        /// A tensor the architecture does not have is present.
        case unexpectedTensor(file: String, key: String)
        /// A tensor has the wrong shape.
        case shapeMismatch(file: String, key: String, expected: [Int], found: [Int])
        /// The same tensor appears twice (two shards, or prefixed and unprefixed names).
        case duplicateTensor(file: String, key: String)
        /// The config or store cannot be written as a Hugging Face checkpoint.
        case cannotSave(file: String, reason: String)
    }

    /// What went wrong.
    package let code: Code

    /// The error of `code`.
    package init(_ code: Code) { self.code = code }

    /// `config.json` (or a shard index) is missing or unreadable.
    public static func unreadableFile(file: String, reason: String) -> HFCheckpointError { HFCheckpointError(.unreadableFile(file: file, reason: reason)) }
    /// A JSON file is not the expected structure.
    public static func malformedJSON(file: String, reason: String) -> HFCheckpointError { HFCheckpointError(.malformedJSON(file: file, reason: reason)) }
    /// A required `config.json` field is absent.
    public static func missingField(file: String, key: String) -> HFCheckpointError { HFCheckpointError(.missingField(file: file, key: key)) }
    /// A `config.json` field has a value of the wrong type or out of range.
    public static func invalidField(file: String, key: String, value: String, expected: String) -> HFCheckpointError { HFCheckpointError(.invalidField(file: file, key: key, value: value, expected: expected)) }
    /// `architectures` / `model_type` name a model this runtime does not implement.
    public static func unknownArchitecture(file: String, value: String) -> HFCheckpointError { HFCheckpointError(.unknownArchitecture(file: file, value: value)) }
    /// A field asks for a variant of the architecture this runtime does not implement.
    public static func unsupportedFeature(file: String, key: String, value: String, reason: String) -> HFCheckpointError { HFCheckpointError(.unsupportedFeature(file: file, key: key, value: value, reason: reason)) }
    /// The folder holds neither `model.safetensors` nor `model.safetensors.index.json`.
    public static func noWeights(directory: String) -> HFCheckpointError { HFCheckpointError(.noWeights(directory: directory)) }
    /// A tensor the architecture needs is absent.
    public static func missingTensor(file: String, key: String) -> HFCheckpointError { HFCheckpointError(.missingTensor(file: file, key: key)) }
    /// A tensor the architecture does not have is present.
    public static func unexpectedTensor(file: String, key: String) -> HFCheckpointError { HFCheckpointError(.unexpectedTensor(file: file, key: key)) }
    /// A tensor has the wrong shape.
    public static func shapeMismatch(file: String, key: String, expected: [Int], found: [Int]) -> HFCheckpointError { HFCheckpointError(.shapeMismatch(file: file, key: key, expected: expected, found: found)) }
    /// The same tensor appears twice (two shards, or prefixed and unprefixed names).
    public static func duplicateTensor(file: String, key: String) -> HFCheckpointError { HFCheckpointError(.duplicateTensor(file: file, key: key)) }
    /// The config or store cannot be written as a Hugging Face checkpoint.
    public static func cannotSave(file: String, reason: String) -> HFCheckpointError { HFCheckpointError(.cannotSave(file: file, reason: reason)) }

    /// The message: one line that says what is wrong and where.
    public var description: String {
        switch code {
        case let .unreadableFile(file, reason):
            return "\(file): cannot read: \(reason)"
        case let .malformedJSON(file, reason):
            return "\(file): \(reason)"
        case let .missingField(file, key):
            return "\(file): required field '\(key)' is missing"
        case let .invalidField(file, key, value, expected):
            return "\(file): field '\(key)' is \(value), expected \(expected)"
        case let .unknownArchitecture(file, value):
            return "\(file): unknown architecture \(value); supported: GPT2LMHeadModel (model_type gpt2), LlamaForCausalLM (model_type llama)"
        case let .unsupportedFeature(file, key, value, reason):
            return "\(file): field '\(key)' = \(value) is not supported: \(reason)"
        case let .noWeights(directory):
            return "\(directory): no model.safetensors or model.safetensors.index.json in this folder"
        case let .missingTensor(file, key):
            return "\(file): missing tensor '\(key)'"
        case let .unexpectedTensor(file, key):
            return "\(file): unexpected tensor '\(key)' (not a parameter of this architecture and config)"
        case let .shapeMismatch(file, key, expected, found):
            return "\(file): tensor '\(key)' has shape \(found), expected \(expected)"
        case let .duplicateTensor(file, key):
            return "\(file): tensor '\(key)' appears more than once"
        case let .cannotSave(file, reason):
            return "\(file): cannot save: \(reason)"
        }
    }
}
