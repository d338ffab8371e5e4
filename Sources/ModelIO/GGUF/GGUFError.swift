/// Everything that can go wrong reading a GGUF file; each message is one line naming the file and the
/// key or tensor at fault, and says what to do where there is something to do.
public enum GGUFError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file could not be opened or mapped.
    case cannotOpen(file: String, reason: String)
    /// The first four bytes are not `GGUF`.
    case badMagic(file: String, found: [UInt8])
    /// A GGUF version this reader does not handle (only 2 and 3 are).
    case unsupportedVersion(file: String, version: UInt32)
    /// The file ends before `what` (which started at byte `offset` and needs `needed` bytes).
    case truncated(file: String, what: String, offset: Int, needed: Int, fileSize: Int)
    /// A metadata value carries a type id outside the GGUF specification.
    case unknownValueType(file: String, key: String, typeID: UInt32)
    /// A metadata value is malformed (nesting too deep, bad UTF-8, ...).
    case invalidMetadata(file: String, key: String, reason: String)
    /// The same metadata key or tensor name appears twice.
    case duplicate(file: String, name: String)
    /// A tensor's type id is not a ggml type at all.
    case unknownTensorType(file: String, tensor: String, typeID: UInt32)
    /// A tensor's type is a real ggml type that this reader cannot dequantize.
    case unsupportedTensorType(file: String, tensor: String, type: String)
    /// A tensor's dimensions, offset or size are inconsistent.
    case invalidTensorInfo(file: String, tensor: String, reason: String)
    /// A metadata key the loader needs is absent.
    case missingKey(file: String, key: String)
    /// A metadata key holds a value of the wrong kind.
    case wrongValueType(file: String, key: String, expected: String, found: String)
    /// `general.architecture` names a family the Swift models do not implement.
    case unknownArchitecture(file: String, architecture: String)
    /// The model needs a feature the Swift models do not implement (e.g. partial rotary dimensions).
    case unsupportedModel(file: String, key: String, reason: String)
    /// A tensor the architecture requires is absent.
    case missingTensor(file: String, tensor: String)
    /// A tensor the architecture does not use is present.
    case unexpectedTensor(file: String, tensor: String)
    /// A tensor's shape (row-major) differs from what the config implies.
    case shapeMismatch(file: String, tensor: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case let .cannotOpen(file, reason):
            return "\(file): cannot open GGUF file: \(reason)"
        case let .badMagic(file, found):
            let hex = found.map { String($0, radix: 16) }.joined(separator: " ")
            return "\(file): not a GGUF file (magic bytes [\(hex)], expected 'GGUF')"
        case let .unsupportedVersion(file, version):
            return "\(file): GGUF version \(version) is not supported (2 and 3 are); re-convert with a current llama.cpp"
        case let .truncated(file, what, offset, needed, fileSize):
            return "\(file): truncated: \(what) needs \(needed) bytes at offset \(offset) but the file has \(fileSize) bytes; the file is incomplete, download it again"
        case let .unknownValueType(file, key, typeID):
            return "\(file): metadata key '\(key)' has unknown value type id \(typeID)"
        case let .invalidMetadata(file, key, reason):
            return "\(file): metadata key '\(key)' is invalid: \(reason)"
        case let .duplicate(file, name):
            return "\(file): '\(name)' appears twice"
        case let .unknownTensorType(file, tensor, typeID):
            return "\(file): tensor '\(tensor)' has unknown ggml type id \(typeID)"
        case let .unsupportedTensorType(file, tensor, type):
            return "\(file): tensor '\(tensor)' has type \(type), which cannot be dequantized (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K, Q6_K)"
        case let .invalidTensorInfo(file, tensor, reason):
            return "\(file): tensor '\(tensor)' is invalid: \(reason)"
        case let .missingKey(file, key):
            return "\(file): metadata key '\(key)' is missing"
        case let .wrongValueType(file, key, expected, found):
            return "\(file): metadata key '\(key)' should be \(expected) but is \(found)"
        case let .unknownArchitecture(file, architecture):
            return "\(file): general.architecture '\(architecture)' is not supported (supported: llama)"
        case let .unsupportedModel(file, key, reason):
            return "\(file): '\(key)': \(reason)"
        case let .missingTensor(file, tensor):
            return "\(file): tensor '\(tensor)' is missing"
        case let .unexpectedTensor(file, tensor):
            return "\(file): tensor '\(tensor)' is not used by the architecture"
        case let .shapeMismatch(file, tensor, expected, found):
            return "\(file): tensor '\(tensor)' has shape \(found), expected \(expected)"
        }
    }
}
