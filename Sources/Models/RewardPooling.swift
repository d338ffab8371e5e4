/// Which hidden state a sequence classifier reads its score from.
public enum RewardPooling: String, Sendable, CaseIterable, Codable {
    /// The first token ([CLS]) through BERT's pooler (dense + tanh), as `BertForSequenceClassification` does.
    case cls
    /// The mean of the real tokens' final hidden states (mask 1; every token without a mask), as
    /// sentence-transformers' mean pooling does; no pooler.
    case mean
    /// The last real token's state, as `GPT2ForSequenceClassification` / `LlamaForSequenceClassification`
    /// do: the last position whose id is not the pad id.
    case last

    /// The pooling `transformers` uses for a family's sequence classifier: [CLS] for BERT, the last token
    /// for the decoders.
    public static func standard(for architecture: Architecture) -> RewardPooling {
        architecture == .bert ? .cls : .last
    }
}
