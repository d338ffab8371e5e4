/// A tokenizer that cannot be written as Hugging Face files, naming its source and the reason.
public struct TokenizerWriteError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, with its details: package-internal, so that cases can be added without breaking users.
    package enum Code: Equatable, Sendable {
        /// The tokenizer is of a kind the writer does not handle (e.g. WordPiece).
        case unsupportedKind(source: String, kind: String)
        /// No tokenizer.json encodes exactly as this tokenizer does; `reason` says what stands in the way.
        case noExactEquivalent(source: String, reason: String)
        /// A file could not be written.
        case cannotWrite(file: String, reason: String)
    }

    /// What went wrong.
    package let code: Code

    /// The error of `code`.
    package init(_ code: Code) { self.code = code }

    /// The tokenizer is of a kind the writer does not handle (e.g. WordPiece).
    public static func unsupportedKind(source: String, kind: String) -> TokenizerWriteError { TokenizerWriteError(.unsupportedKind(source: source, kind: kind)) }
    /// No tokenizer.json encodes exactly as this tokenizer does; `reason` says what stands in the way.
    public static func noExactEquivalent(source: String, reason: String) -> TokenizerWriteError { TokenizerWriteError(.noExactEquivalent(source: source, reason: reason)) }
    /// A file could not be written.
    public static func cannotWrite(file: String, reason: String) -> TokenizerWriteError { TokenizerWriteError(.cannotWrite(file: file, reason: reason)) }

    /// The message: one line that says what is wrong and where.
    public var description: String {
        switch code {
        case .unsupportedKind(let source, let kind):
            return "\(source): cannot write a \(kind) tokenizer as tokenizer.json; supported are byte-level BPE and llama2.c tokenizer.bin"
        case .noExactEquivalent(let source, let reason):
            return "\(source): no tokenizer.json encodes exactly like this tokenizer: \(reason)"
        case .cannotWrite(let file, let reason):
            return "\(file): cannot write tokenizer file (\(reason))"
        }
    }
}
