/// A tokenizer that cannot be written as Hugging Face files, naming its source and the reason.
public enum TokenizerWriteError: Error, CustomStringConvertible, Equatable {
    /// The tokenizer is of a kind the writer does not handle (e.g. WordPiece).
    case unsupportedKind(source: String, kind: String)
    /// No tokenizer.json encodes exactly as this tokenizer does; `reason` says what stands in the way.
    case noExactEquivalent(source: String, reason: String)
    /// A file could not be written.
    case cannotWrite(file: String, reason: String)

    public var description: String {
        switch self {
        case .unsupportedKind(let source, let kind):
            return "\(source): cannot write a \(kind) tokenizer as tokenizer.json; supported are byte-level BPE and llama2.c tokenizer.bin"
        case .noExactEquivalent(let source, let reason):
            return "\(source): no tokenizer.json encodes exactly like this tokenizer: \(reason)"
        case .cannotWrite(let file, let reason):
            return "\(file): cannot write tokenizer file (\(reason))"
        }
    }
}
