/// Everything that can go wrong reading a GGUF file; each message is one line naming the file and the
/// key or tensor at fault, and says what to do where there is something to do.
public struct GGUFError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, with its details: package-internal, so that cases can be added without breaking users.
    package enum Code: Equatable, Sendable {
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
    }

    /// What went wrong.
    package let code: Code

    /// The error of `code`.
    package init(_ code: Code) { self.code = code }

    /// The file could not be opened or mapped.
    public static func cannotOpen(file: String, reason: String) -> GGUFError { GGUFError(.cannotOpen(file: file, reason: reason)) }
    /// The first four bytes are not `GGUF`.
    public static func badMagic(file: String, found: [UInt8]) -> GGUFError { GGUFError(.badMagic(file: file, found: found)) }
    /// A GGUF version this reader does not handle (only 2 and 3 are).
    public static func unsupportedVersion(file: String, version: UInt32) -> GGUFError { GGUFError(.unsupportedVersion(file: file, version: version)) }
    /// The file ends before `what` (which started at byte `offset` and needs `needed` bytes).
    public static func truncated(file: String, what: String, offset: Int, needed: Int, fileSize: Int) -> GGUFError { GGUFError(.truncated(file: file, what: what, offset: offset, needed: needed, fileSize: fileSize)) }
    /// A metadata value carries a type id outside the GGUF specification.
    public static func unknownValueType(file: String, key: String, typeID: UInt32) -> GGUFError { GGUFError(.unknownValueType(file: file, key: key, typeID: typeID)) }
    /// A metadata value is malformed (nesting too deep, bad UTF-8, ...).
    public static func invalidMetadata(file: String, key: String, reason: String) -> GGUFError { GGUFError(.invalidMetadata(file: file, key: key, reason: reason)) }
    /// The same metadata key or tensor name appears twice.
    public static func duplicate(file: String, name: String) -> GGUFError { GGUFError(.duplicate(file: file, name: name)) }
    /// A tensor's type id is not a ggml type at all.
    public static func unknownTensorType(file: String, tensor: String, typeID: UInt32) -> GGUFError { GGUFError(.unknownTensorType(file: file, tensor: tensor, typeID: typeID)) }
    /// A tensor's type is a real ggml type that this reader cannot dequantize.
    public static func unsupportedTensorType(file: String, tensor: String, type: String) -> GGUFError { GGUFError(.unsupportedTensorType(file: file, tensor: tensor, type: type)) }
    /// A tensor's dimensions, offset or size are inconsistent.
    public static func invalidTensorInfo(file: String, tensor: String, reason: String) -> GGUFError { GGUFError(.invalidTensorInfo(file: file, tensor: tensor, reason: reason)) }
    /// A metadata key the loader needs is absent.
    public static func missingKey(file: String, key: String) -> GGUFError { GGUFError(.missingKey(file: file, key: key)) }
    /// A metadata key holds a value of the wrong kind.
    public static func wrongValueType(file: String, key: String, expected: String, found: String) -> GGUFError { GGUFError(.wrongValueType(file: file, key: key, expected: expected, found: found)) }
    /// `general.architecture` names a family the Swift models do not implement.
    public static func unknownArchitecture(file: String, architecture: String) -> GGUFError { GGUFError(.unknownArchitecture(file: file, architecture: architecture)) }
    /// The model needs a feature the Swift models do not implement (e.g. partial rotary dimensions).
    public static func unsupportedModel(file: String, key: String, reason: String) -> GGUFError { GGUFError(.unsupportedModel(file: file, key: key, reason: reason)) }
    /// A tensor the architecture requires is absent.
    public static func missingTensor(file: String, tensor: String) -> GGUFError { GGUFError(.missingTensor(file: file, tensor: tensor)) }
    /// A tensor the architecture does not use is present.
    public static func unexpectedTensor(file: String, tensor: String) -> GGUFError { GGUFError(.unexpectedTensor(file: file, tensor: tensor)) }
    /// A tensor's shape (row-major) differs from what the config implies.
    public static func shapeMismatch(file: String, tensor: String, expected: [Int], found: [Int]) -> GGUFError { GGUFError(.shapeMismatch(file: file, tensor: tensor, expected: expected, found: found)) }

    /// The message: one line that says what is wrong and where.
    public var description: String {
        switch code {
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
