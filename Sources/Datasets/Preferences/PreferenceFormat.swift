/// The formats `rlhf reward train|dpo --format` accepts, one JSON object a line:
/// - `hh`: Anthropic HH-RLHF, `{"chosen": "\n\nHuman: ...\n\nAssistant: ...", "rejected": ...}`;
/// - `dexperts`: DExperts human A/B judgements, the sentiment rows read as preferences for positivity;
/// - `pairs`: `{"prompt", "chosen", "rejected"}`.
public enum PreferenceFormat: String, Sendable, CaseIterable {
    case hh, dexperts, pairs
}
