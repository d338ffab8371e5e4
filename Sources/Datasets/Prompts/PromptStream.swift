import ModelIO
import Storage
import Tensor

/// The prompts of a PPO run, as TRL's gpt2-sentiment example makes them: each the first n tokens of a
/// review, with n drawn uniformly from `tokens` (2...8 there). Reviews come in a seeded order, and the
/// n of the prompt at position p is drawn from a stream seeded by (seed, p), so the stream is a pure
/// function of its position: a checkpoint saves `position` and a resumed run continues exactly.
public struct PromptStream: Sendable {
    /// The token ids of every review (in the seeded order), truncated to the longest prompt.
    private let heads: [[Int]]
    /// Prompt lengths, both ends included.
    public let tokens: ClosedRange<Int>
    /// The run seed.
    public let seed: UInt64
    /// Prompts taken so far (the data position).
    public var position: Int

    /// A stream over `texts` encoded with `tokenizer` (without special tokens); texts whose tokens are
    /// fewer than `tokens.upperBound` are left out.
    public init(texts: [String], tokenizer: any Tokenizer, tokens: ClosedRange<Int>, seed: UInt64, position: Int = 0) throws {
        var heads: [[Int]] = []
        for text in texts {
            // the first tokens of a long text come from its start: only a piece of it is encoded
            let ids = tokenizer.encode(text, addSpecialTokens: false, keeping: tokens.upperBound, from: .start)
            if ids.count >= tokens.upperBound { heads.append(Array(ids.prefix(tokens.upperBound))) }
        }
        guard !heads.isEmpty else {
            throw DataFileError(file: "(prompts)", line: nil, reason: "no text has \(tokens.upperBound) tokens to cut a prompt from")
        }
        var order = SplitMix64(seed: seed)
        self.heads = order.shuffled(heads)
        self.tokens = tokens
        self.seed = seed
        self.position = position
    }

    /// A stream of whole prompts (the harmlessness task's first Human turns): each text encoded without
    /// special tokens, those longer than `maxTokens` left out, in a seeded order.
    public init(wholeTexts texts: [String], tokenizer: any Tokenizer, maxTokens: Int, seed: UInt64, position: Int = 0) throws {
        let prompts = texts.map { tokenizer.encode($0, addSpecialTokens: false, keeping: maxTokens + 1, from: .start) }
            .filter { !$0.isEmpty && $0.count <= maxTokens }
        guard !prompts.isEmpty else {
            throw DataFileError(file: "(prompts)", line: nil, reason: "no prompt has at most \(maxTokens) tokens")
        }
        var order = SplitMix64(seed: seed)
        heads = order.shuffled(prompts)
        tokens = maxTokens...maxTokens  // every prompt is kept whole
        self.seed = seed
        self.position = position
    }

    /// Number of distinct reviews the stream cycles through.
    public var count: Int { heads.count }

    /// The prompt at `position` (the stream cycles through its reviews).
    public func prompt(at position: Int) -> [Int] {
        var draw = SplitMix64(seed: seed &+ 0x2545_F491_4F6C_DD1D &* UInt64(position + 1))
        let n = tokens.lowerBound + Int(draw.next() % UInt64(tokens.count))
        return Array(heads[position % heads.count].prefix(n))
    }

    /// The next `count` prompts; advances `position`.
    public mutating func next(_ count: Int) -> [[Int]] {
        defer { position += count }
        return (position..<(position + count)).map(prompt(at:))
    }
}
