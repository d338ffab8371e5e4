import Foundation

/// The normalizer of a SentencePiece-style tokenizer.json: steps applied in order to each run of text
/// between added tokens (Hugging Face's `Prepend`, `Replace` with a literal pattern, `NFC`).
struct SentencePieceNormalizer: Sendable {
    /// One normalization step.
    enum Step: Sendable, Equatable {
        /// `Prepend`: the text put before a non-empty run.
        case prepend(String)
        /// `Replace` of every occurrence of a literal string.
        case replace(pattern: String, content: String)
        /// `NFC`: canonical composition.
        case nfc
    }

    /// The steps, in order.
    var steps: [Step]

    /// `text` normalized.
    func normalize(_ text: String) -> String {
        var result = text
        for step in steps {
            switch step {
            case .prepend(let prefix): if !result.isEmpty { result = prefix + result }
            case .replace(let pattern, let content): result = Self.replacing(pattern, with: content, in: result)
            case .nfc: result = result.precomposedStringWithCanonicalMapping
            }
        }
        return result
    }

    /// Every occurrence of `pattern` in `text` replaced by `content`, comparing UTF-8 bytes (no Unicode
    /// equivalence), left to right without overlaps, as Rust's `str::replace`.
    static func replacing(_ pattern: String, with content: String, in text: String) -> String {
        let needle = Array(pattern.utf8)
        guard !needle.isEmpty, text.utf8.count >= needle.count else { return text }
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == needle[0], i + needle.count <= bytes.count, bytes[i..<(i + needle.count)].elementsEqual(needle) {
                output.append(contentsOf: content.utf8)
                i += needle.count
            } else {
                output.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The normalizer a tokenizer.json `normalizer` describes: none, one of the steps, or a Sequence of them.
    init(json value: TokenizerJSONValue?, file: String) throws {
        guard let value, !value.isNull else {
            steps = []
            return
        }
        let parts = HuggingFaceTokenizerJSON.steps(of: value, sequenceKey: "normalizers")
        steps = try parts.map { part in
            let type = part["type"]?.string ?? "?"
            switch type {
            case "Prepend":
                guard let prefix = part["prepend"]?.string else {
                    throw TokenizerError.malformed(file: file, reason: "Prepend normalizer has no \"prepend\" string")
                }
                return .prepend(prefix)
            case "Replace":
                guard let pattern = part["pattern"]?["String"]?.string, let content = part["content"]?.string else {
                    throw TokenizerError.unsupported(file: file, what: "a Replace normalizer other than a literal string replacement")
                }
                return .replace(pattern: pattern, content: content)
            case "NFC":
                return .nfc
            default:
                throw TokenizerError.unsupported(file: file, what: "normalizer \(type) in a SentencePiece-style BPE tokenizer")
            }
        }
    }
}
