/// A tokenizer file that cannot be used, naming the file and what was wrong with it.
public struct TokenizerError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, with its details: package-internal, so that cases can be added without breaking users.
    package enum Code: Equatable, Sendable {
        /// The file could not be read at all.
        case unreadable(file: String, reason: String)
        /// The file is not valid JSON.
        case invalidJSON(file: String, reason: String)
        /// The file is of the right format but its content is wrong (a field missing or of the wrong type).
        case malformed(file: String, reason: String)
        /// The file describes something this project does not implement (e.g. a Unigram model).
        case unsupported(file: String, what: String)
        /// The file ends before all of its content was read.
        case truncated(file: String, reason: String)
    }

    /// What went wrong.
    package let code: Code

    /// The error of `code`.
    package init(_ code: Code) { self.code = code }

    /// The file could not be read at all.
    public static func unreadable(file: String, reason: String) -> TokenizerError { TokenizerError(.unreadable(file: file, reason: reason)) }
    /// The file is not valid JSON.
    public static func invalidJSON(file: String, reason: String) -> TokenizerError { TokenizerError(.invalidJSON(file: file, reason: reason)) }
    /// The file is of the right format but its content is wrong (a field missing or of the wrong type).
    public static func malformed(file: String, reason: String) -> TokenizerError { TokenizerError(.malformed(file: file, reason: reason)) }
    /// The file describes something this project does not implement (e.g. a Unigram model).
    public static func unsupported(file: String, what: String) -> TokenizerError { TokenizerError(.unsupported(file: file, what: what)) }
    /// The file ends before all of its content was read.
    public static func truncated(file: String, reason: String) -> TokenizerError { TokenizerError(.truncated(file: file, reason: reason)) }

    /// The file (or in-memory source) the error is about.
    public var file: String {
        switch code {
        case .unreadable(let file, _), .invalidJSON(let file, _), .malformed(let file, _),
             .unsupported(let file, _), .truncated(let file, _):
            return file
        }
    }

    /// The message: one line that says what is wrong and where.
    public var description: String {
        switch code {
        case .unreadable(let file, let reason):
            return "\(file): cannot read tokenizer file (\(reason)); check the path and permissions"
        case .invalidJSON(let file, let reason):
            return "\(file): not valid JSON (\(reason)); the file may be truncated or not a tokenizer file"
        case .malformed(let file, let reason):
            return "\(file): not a usable tokenizer file: \(reason)"
        case .unsupported(let file, let what):
            return "\(file): \(what) is not supported; supported are byte-level BPE (GPT-2, SmolLM2, Llama-3), "
                + "WordPiece (BERT) and llama2.c tokenizer.bin"
        case .truncated(let file, let reason):
            return "\(file): file ends too early (\(reason)); re-download it or check the vocabulary size"
        }
    }
}
