import Foundation

/// One line of `rlhf pairs` output, a JSON object per prompt:
/// - labelled: `{"prompt", "chosen", "rejected", "chosen_score", "rejected_score", "labeler", "tie",
///   "preferred": "a"|"b", "identical"}`, the `pairs` format `PreferenceData` reads (it ignores the extra keys);
/// - unlabelled (`--labeler none`): `{"prompt", "response_a", "response_b", "labeler": "none", "identical"}`,
///   the input of the labeling app, where a person picks the better response.
///
/// `identical` flags a pair whose two responses are the same text: it is kept, so there is one line per
/// prompt, but it teaches a reward model or DPO nothing.
public enum PairRecord {
    /// The labelled form.
    struct Labelled: Encodable {
        let prompt: String
        let chosen: String
        let rejected: String
        let chosen_score: Double
        let rejected_score: Double
        let labeler: String
        let tie: Bool
        let preferred: String
        let identical: Bool
    }

    /// The unlabelled form.
    struct Unlabelled: Encodable {
        let prompt: String
        let response_a: String
        let response_b: String
        let labeler: String
        let identical: Bool
    }

    /// The JSON line (no newline) of `pair` with `judgement` by `labeler`, or the unlabelled form when
    /// `judgement` is nil. Keys are sorted; scores must be finite.
    public static func line(_ pair: ResponsePair, judgement: PairJudgement?, labeler: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let j = judgement else {
            return try text(encoder.encode(Unlabelled(prompt: pair.prompt, response_a: pair.a, response_b: pair.b,
                                                      labeler: labeler, identical: pair.identical)))
        }
        return try text(encoder.encode(Labelled(
            prompt: pair.prompt, chosen: j.prefersA ? pair.a : pair.b, rejected: j.prefersA ? pair.b : pair.a,
            chosen_score: j.prefersA ? j.scoreA : j.scoreB, rejected_score: j.prefersA ? j.scoreB : j.scoreA,
            labeler: labeler, tie: j.tie, preferred: j.prefersA ? "a" : "b", identical: pair.identical)))
    }

    private static func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }
}
