/// Everything that can go wrong reading a llama2.c checkpoint; one line naming the file.
public struct Llama2cError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, with its details: package-internal, so that cases can be added without breaking users.
    package enum Code: Equatable, Sendable {
        /// The file could not be opened or mapped.
        case cannotOpen(file: String, reason: String)
        /// A header field is out of range or inconsistent with another.
        case invalidHeader(file: String, field: String, value: Int, reason: String)
        /// The file is shorter than its header implies.
        case truncated(file: String, expectedBytes: Int, actualBytes: Int)
        /// The file is longer than its header implies (not a legacy llama2.c checkpoint, or a wrong header).
        case trailingBytes(file: String, expectedBytes: Int, actualBytes: Int)
    }

    /// What went wrong.
    package let code: Code

    /// The error of `code`.
    package init(_ code: Code) { self.code = code }

    /// The file could not be opened or mapped.
    public static func cannotOpen(file: String, reason: String) -> Llama2cError { Llama2cError(.cannotOpen(file: file, reason: reason)) }
    /// A header field is out of range or inconsistent with another.
    public static func invalidHeader(file: String, field: String, value: Int, reason: String) -> Llama2cError { Llama2cError(.invalidHeader(file: file, field: field, value: value, reason: reason)) }
    /// The file is shorter than its header implies.
    public static func truncated(file: String, expectedBytes: Int, actualBytes: Int) -> Llama2cError { Llama2cError(.truncated(file: file, expectedBytes: expectedBytes, actualBytes: actualBytes)) }
    /// The file is longer than its header implies (not a legacy llama2.c checkpoint, or a wrong header).
    public static func trailingBytes(file: String, expectedBytes: Int, actualBytes: Int) -> Llama2cError { Llama2cError(.trailingBytes(file: file, expectedBytes: expectedBytes, actualBytes: actualBytes)) }

    /// The message: one line that says what is wrong and where.
    public var description: String {
        switch code {
        case let .cannotOpen(file, reason):
            return "\(file): cannot open llama2.c checkpoint: \(reason)"
        case let .invalidHeader(file, field, value, reason):
            return "\(file): llama2.c header field \(field) = \(value) is invalid: \(reason)"
        case let .truncated(file, expected, actual):
            return "\(file): truncated llama2.c checkpoint: the header implies \(expected) bytes but the file has \(actual); the file is incomplete"
        case let .trailingBytes(file, expected, actual):
            return "\(file): llama2.c checkpoint has \(actual - expected) bytes after the \(expected) its header implies; is it a legacy (version 0) llama2.c export?"
        }
    }
}
