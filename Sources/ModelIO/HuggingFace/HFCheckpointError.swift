/// Why a Hugging Face checkpoint folder could not be loaded or saved. Each message is one line naming the
/// file and the `config.json` field or Hugging Face tensor key. Errors inside a safetensors file itself come
/// as `SafetensorsError`.
public enum HFCheckpointError: Error, CustomStringConvertible, Equatable {
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

    public var description: String {
        switch self {
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
