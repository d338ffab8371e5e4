/// The decoder of a SentencePiece-style tokenizer.json: steps applied in order to the list of token
/// spellings, whose results are then joined (Hugging Face's `Replace`, `ByteFallback`, `Fuse`, `Strip`).
struct SentencePieceDecoder: Sendable {
    /// One decoding step.
    enum Step: Sendable, Equatable {
        /// `Replace`: every occurrence of a literal string in each token.
        case replace(pattern: String, content: String)
        /// `ByteFallback`: runs of `<0xXX>` tokens become the text their bytes spell, or one U+FFFD per
        /// byte when they are not UTF-8.
        case byteFallback
        /// `Fuse`: all tokens joined into one.
        case fuse
        /// `Strip`: up to `start` leading and `stop` trailing `content` characters removed from each token.
        case strip(content: Unicode.Scalar, start: Int, stop: Int)
    }

    /// The steps, in order; nil when the file has no decoder (tokens are then joined with spaces).
    var steps: [Step]?

    /// The text of `tokens`.
    func decode(_ tokens: [String]) -> String {
        guard let steps else { return tokens.joined(separator: " ") }
        var current = tokens
        for step in steps {
            switch step {
            case .replace(let pattern, let content):
                current = current.map { SentencePieceNormalizer.replacing(pattern, with: content, in: $0) }
            case .byteFallback:
                current = Self.fuseBytes(current)
            case .fuse:
                current = [current.joined()]
            case .strip(let content, let start, let stop):
                current = current.map { Self.strip($0, content, start: start, stop: stop) }
            }
        }
        return current.joined()
    }

    private static func fuseBytes(_ tokens: [String]) -> [String] {
        var output: [String] = []
        var pending: [UInt8] = []
        func flush() {
            guard !pending.isEmpty else { return }
            if let text = String(validating: pending, as: UTF8.self) {
                output.append(text)
            } else {
                output.append(contentsOf: repeatElement("\u{FFFD}", count: pending.count))
            }
            pending.removeAll()
        }
        for token in tokens {
            if let byte = byteValue(token) {
                pending.append(byte)
            } else {
                flush()
                output.append(token)
            }
        }
        flush()
        return output
    }

    /// The byte of a six-byte `<0xXX>` token (either case of hex digit).
    private static func byteValue(_ token: String) -> UInt8? {
        let bytes = Array(token.utf8)
        guard bytes.count == 6, bytes.starts(with: Array("<0x".utf8)), bytes[5] == UInt8(ascii: ">") else { return nil }
        return UInt8(String(decoding: bytes[3..<5], as: UTF8.self), radix: 16)
    }

    private static func strip(_ token: String, _ content: Unicode.Scalar, start: Int, stop: Int) -> String {
        let scalars = Array(token.unicodeScalars)
        var first = 0
        while first < min(start, scalars.count) && scalars[first] == content { first += 1 }
        var end = scalars.count
        while scalars.count - end < stop && end > first && scalars[end - 1] == content { end -= 1 }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[first..<end])
        return String(view)
    }

    /// The decoder a tokenizer.json `decoder` describes: none, one of the steps, or a Sequence of them.
    init(json value: TokenizerJSONValue?, file: String) throws {
        guard let value, !value.isNull else {
            steps = nil
            return
        }
        let parts = HuggingFaceTokenizerJSON.steps(of: value, sequenceKey: "decoders")
        steps = try parts.map { part in
            let type = part["type"]?.string ?? "?"
            switch type {
            case "Replace":
                guard let pattern = part["pattern"]?["String"]?.string, let content = part["content"]?.string else {
                    throw TokenizerError.unsupported(file: file, what: "a Replace decoder other than a literal string replacement")
                }
                return .replace(pattern: pattern, content: content)
            case "ByteFallback": return .byteFallback
            case "Fuse": return .fuse
            case "Strip":
                guard let content = part["content"]?.string, content.unicodeScalars.count == 1,
                      let start = part["start"]?.integer, let stop = part["stop"]?.integer, start >= 0, stop >= 0 else {
                    throw TokenizerError.malformed(file: file, reason: "Strip decoder needs one \"content\" character and \"start\"/\"stop\" counts")
                }
                return .strip(content: content.unicodeScalars.first!, start: start, stop: stop)
            default:
                throw TokenizerError.unsupported(file: file, what: "decoder \(type) in a SentencePiece-style BPE tokenizer")
            }
        }
    }
}
