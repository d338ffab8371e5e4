/// Why a safetensors file could not be read or written. Each message is one line naming the file and,
/// where there is one, the tensor key.
public enum SafetensorsError: Error, CustomStringConvertible, Equatable {
    /// The file could not be opened, inspected or mapped.
    case cannotOpen(file: String, reason: String)
    /// Shorter than the 8-byte header length.
    case fileTooShort(file: String, size: Int)
    /// The header length is larger than any real header (100 MB, the reference implementation's limit).
    case headerLengthAbsurd(file: String, length: UInt64)
    /// The header length points past the end of the file.
    case headerPastEnd(file: String, length: UInt64, fileSize: Int)
    /// The header is not valid JSON (or not UTF-8).
    case headerNotJSON(file: String, reason: String)
    /// The header is JSON but not the expected structure; `key` is the offending entry ("" for the root).
    case malformedHeader(file: String, key: String, reason: String)
    /// A dtype string the format does not define.
    case unknownDType(file: String, key: String, dtype: String)
    /// `data_offsets` span a different number of bytes than shape × dtype size.
    case offsetsMismatch(file: String, key: String, expectedBytes: Int, foundBytes: Int)
    /// Tensor data do not follow each other back to back (an overlap, a gap, or not starting at 0).
    case offsetsNotContiguous(file: String, key: String, expectedBegin: Int, foundBegin: Int)
    /// A tensor's data end past the end of the file.
    case truncated(file: String, key: String, end: Int, dataSize: Int)
    /// Bytes after the last tensor that no tensor owns.
    case trailingBytes(file: String, count: Int)
    /// No tensor of that name in the file.
    case missingTensor(file: String, key: String)
    /// The tensor's dtype cannot be read as the requested type.
    case unsupportedConversion(file: String, key: String, dtype: SafetensorsDType, target: String)
    /// The destination holds a different number of elements than the tensor.
    case countMismatch(file: String, key: String, expected: Int, found: Int)
    /// A tensor given to the writer is inconsistent (shape vs values, duplicate name, unsupported dtype).
    case invalidTensor(file: String, key: String, reason: String)
    /// Writing or renaming the file failed.
    case writeFailed(file: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(file, reason):
            return "\(file): cannot open safetensors file: \(reason)"
        case let .fileTooShort(file, size):
            return "\(file): file is \(size) bytes, too short for a safetensors header (needs at least 8)"
        case let .headerLengthAbsurd(file, length):
            return "\(file): header length \(length) is absurd (limit 100000000 bytes); not a safetensors file?"
        case let .headerPastEnd(file, length, fileSize):
            return "\(file): header length \(length) runs past the end of the \(fileSize)-byte file (truncated?)"
        case let .headerNotJSON(file, reason):
            return "\(file): header is not valid JSON: \(reason)"
        case let .malformedHeader(file, key, reason):
            return key.isEmpty ? "\(file): malformed header: \(reason)"
                               : "\(file): malformed header entry '\(key)': \(reason)"
        case let .unknownDType(file, key, dtype):
            return "\(file): tensor '\(key)' has unknown dtype '\(dtype)'"
        case let .offsetsMismatch(file, key, expectedBytes, foundBytes):
            return "\(file): tensor '\(key)': data_offsets span \(foundBytes) bytes but shape × dtype needs \(expectedBytes)"
        case let .offsetsNotContiguous(file, key, expectedBegin, foundBegin):
            return "\(file): tensor '\(key)' starts at byte \(foundBegin) of the data, expected \(expectedBegin) (overlapping, out of order or gap)"
        case let .truncated(file, key, end, dataSize):
            return "\(file): tensor '\(key)' ends at data byte \(end) but the file holds only \(dataSize) data bytes (truncated file)"
        case let .trailingBytes(file, count):
            return "\(file): \(count) bytes after the last tensor belong to no tensor"
        case let .missingTensor(file, key):
            return "\(file): no tensor named '\(key)'"
        case let .unsupportedConversion(file, key, dtype, target):
            return "\(file): tensor '\(key)' has dtype \(dtype.rawValue), which cannot be read as \(target)"
        case let .countMismatch(file, key, expected, found):
            return "\(file): tensor '\(key)' has \(expected) elements but the destination holds \(found)"
        case let .invalidTensor(file, key, reason):
            return "\(file): cannot write tensor '\(key)': \(reason)"
        case let .writeFailed(file, reason):
            return "\(file): write failed: \(reason)"
        }
    }
}
