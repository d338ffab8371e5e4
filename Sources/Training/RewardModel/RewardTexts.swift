/// Token rows for a reward model: one text each, cut to a length from the left (keeping the end, where the
/// last turn is), the tokenizer's own special tokens (BERT's [CLS] … [SEP]) kept around what remains.
public struct RewardRow: Sendable, Equatable {
    /// Token ids, special tokens included.
    public var ids: [Int]
    /// Whether the text was longer than the limit and lost its start.
    public var truncated: Bool

    /// `text`'s ids (`plain`, without special tokens) wrapped in `prefix` + … + `suffix`, keeping the last
    /// `maxLength − prefix − suffix` of them (at least one).
    public init(plain: [Int], prefix: [Int], suffix: [Int], maxLength: Int) {
        let room = max(1, maxLength - prefix.count - suffix.count)
        truncated = plain.count > room
        ids = prefix + plain.suffix(room) + suffix
    }
}
