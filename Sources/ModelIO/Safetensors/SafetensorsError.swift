/// Why a safetensors file could not be read or written. Each message is one line naming the file and,
/// where there is one, the tensor key.
public struct SafetensorsError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, with its details: package-internal, so that cases can be added without breaking users.
    package enum Code: Equatable, Sendable {
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
    }

    /// What went wrong.
    package let code: Code

    /// The error of `code`.
    package init(_ code: Code) { self.code = code }

    /// The file could not be opened, inspected or mapped.
    public static func cannotOpen(file: String, reason: String) -> SafetensorsError { SafetensorsError(.cannotOpen(file: file, reason: reason)) }
    /// Shorter than the 8-byte header length.
    public static func fileTooShort(file: String, size: Int) -> SafetensorsError { SafetensorsError(.fileTooShort(file: file, size: size)) }
    /// The header length is larger than any real header (100 MB, the reference implementation's limit).
    public static func headerLengthAbsurd(file: String, length: UInt64) -> SafetensorsError { SafetensorsError(.headerLengthAbsurd(file: file, length: length)) }
    /// The header length points past the end of the file.
    public static func headerPastEnd(file: String, length: UInt64, fileSize: Int) -> SafetensorsError { SafetensorsError(.headerPastEnd(file: file, length: length, fileSize: fileSize)) }
    /// The header is not valid JSON (or not UTF-8).
    public static func headerNotJSON(file: String, reason: String) -> SafetensorsError { SafetensorsError(.headerNotJSON(file: file, reason: reason)) }
    /// The header is JSON but not the expected structure; `key` is the offending entry ("" for the root).
    public static func malformedHeader(file: String, key: String, reason: String) -> SafetensorsError { SafetensorsError(.malformedHeader(file: file, key: key, reason: reason)) }
    /// A dtype string the format does not define.
    public static func unknownDType(file: String, key: String, dtype: String) -> SafetensorsError { SafetensorsError(.unknownDType(file: file, key: key, dtype: dtype)) }
    /// `data_offsets` span a different number of bytes than shape × dtype size.
    public static func offsetsMismatch(file: String, key: String, expectedBytes: Int, foundBytes: Int) -> SafetensorsError { SafetensorsError(.offsetsMismatch(file: file, key: key, expectedBytes: expectedBytes, foundBytes: foundBytes)) }
    /// Tensor data do not follow each other back to back (an overlap, a gap, or not starting at 0).
    public static func offsetsNotContiguous(file: String, key: String, expectedBegin: Int, foundBegin: Int) -> SafetensorsError { SafetensorsError(.offsetsNotContiguous(file: file, key: key, expectedBegin: expectedBegin, foundBegin: foundBegin)) }
    /// A tensor's data end past the end of the file.
    public static func truncated(file: String, key: String, end: Int, dataSize: Int) -> SafetensorsError { SafetensorsError(.truncated(file: file, key: key, end: end, dataSize: dataSize)) }
    /// Bytes after the last tensor that no tensor owns.
    public static func trailingBytes(file: String, count: Int) -> SafetensorsError { SafetensorsError(.trailingBytes(file: file, count: count)) }
    /// No tensor of that name in the file.
    public static func missingTensor(file: String, key: String) -> SafetensorsError { SafetensorsError(.missingTensor(file: file, key: key)) }
    /// The tensor's dtype cannot be read as the requested type.
    public static func unsupportedConversion(file: String, key: String, dtype: SafetensorsDType, target: String) -> SafetensorsError { SafetensorsError(.unsupportedConversion(file: file, key: key, dtype: dtype, target: target)) }
    /// The destination holds a different number of elements than the tensor.
    public static func countMismatch(file: String, key: String, expected: Int, found: Int) -> SafetensorsError { SafetensorsError(.countMismatch(file: file, key: key, expected: expected, found: found)) }
    /// A tensor given to the writer is inconsistent (shape vs values, duplicate name, unsupported dtype).
    public static func invalidTensor(file: String, key: String, reason: String) -> SafetensorsError { SafetensorsError(.invalidTensor(file: file, key: key, reason: reason)) }
    /// Writing or renaming the file failed.
    public static func writeFailed(file: String, reason: String) -> SafetensorsError { SafetensorsError(.writeFailed(file: file, reason: reason)) }

    /// The message: one line that says what is wrong and where.
    public var description: String {
        switch code {
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
