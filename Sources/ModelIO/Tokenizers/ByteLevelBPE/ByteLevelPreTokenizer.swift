/// How a byte-level BPE tokenizer cuts text into words before merging (Hugging Face's `pre_tokenizer`):
/// split steps applied in order, each cutting the pieces of the one before.
package struct ByteLevelPreTokenizer: Sendable, Equatable {
    /// One splitting step.
    package enum Step: Sendable, Equatable {
        /// `Digits`: numbers isolated, one scalar each when `individual`, else in runs.
        case digits(individual: Bool)
        /// GPT-2's pattern (`ByteLevel` with `use_regex`, or `Split` with that pattern).
        case gpt2Pattern
        /// Llama-3's pattern (`\p{N}{1,3}`).
        case llama3Pattern
        /// Qwen2's pattern: Llama-3's with one digit per piece (`\p{N}`).
        case qwen2Pattern
    }

    /// The steps, in order.
    package var steps: [Step]
    /// `ByteLevel(add_prefix_space)`: a space put before each text that does not start with one.
    package var addsPrefixSpace: Bool

    /// A pre-tokenizer of `steps`.
    package init(steps: [Step], addsPrefixSpace: Bool = false) {
        self.steps = steps
        self.addsPrefixSpace = addsPrefixSpace
    }

    /// GPT-2's: `ByteLevel(add_prefix_space: false, use_regex: true)`.
    package static let gpt2 = ByteLevelPreTokenizer(steps: [.gpt2Pattern])
    /// SmolLM2's tokenizer.json: `Sequence[Digits(individual_digits: true), ByteLevel]` (GGUF pre "smollm").
    package static let smolLM2 = ByteLevelPreTokenizer(steps: [.digits(individual: true), .gpt2Pattern])
    /// Llama-3's: `Sequence[Split(llama-3 pattern), ByteLevel(use_regex: false)]`.
    package static let llama3 = ByteLevelPreTokenizer(steps: [.llama3Pattern])
    /// Qwen2's: `Sequence[Split(qwen2 pattern), ByteLevel(use_regex: false)]`.
    package static let qwen2 = ByteLevelPreTokenizer(steps: [.qwen2Pattern])

    /// The pieces of `text` (after the prefix space, if any), as scalar ranges of `text`.
    func split(_ text: PreTokenizerText) -> [Range<Int>] {
        var pieces: [Range<Int>] = text.count == 0 ? [] : [0..<text.count]
        for step in steps {
            var next: [Range<Int>] = []
            next.reserveCapacity(pieces.count * 2)
            for piece in pieces {
                switch step {
                case .digits(let individual): Self.splitDigits(text, piece, individual: individual, into: &next)
                case .gpt2Pattern: GPT2PatternScanner.split(text, piece, into: &next)
                case .llama3Pattern: Llama3PatternScanner.split(text, piece, maxDigits: 3, into: &next)
                case .qwen2Pattern: Llama3PatternScanner.split(text, piece, maxDigits: 1, into: &next)
                }
            }
            pieces = next
        }
        return pieces
    }

    /// The text the steps see: `text` with a space before it when `addsPrefixSpace` asks for one.
    func prepared(_ text: String) -> String {
        addsPrefixSpace && !text.isEmpty && text.unicodeScalars.first != " " ? " " + text : text
    }

    private static func splitDigits(_ text: PreTokenizerText, _ range: Range<Int>, individual: Bool, into pieces: inout [Range<Int>]) {
        let classes = text.classes
        var start = range.lowerBound
        while start < range.upperBound {
            var end = start + 1
            if classes[start] == .number {
                if !individual { while end < range.upperBound && classes[end] == .number { end += 1 } }
            } else {
                while end < range.upperBound && classes[end] != .number { end += 1 }
            }
            pieces.append(start..<end)
            start = end
        }
    }
}
