/// One row of the DExperts human evaluation (Liu et al. 2021) read as a preference for positive text.
/// Sentiment rows ask crowd workers which of two continuations `a`, `b` of `prompt` is more positive
/// (`votes.positive`) or, for the runs steered to negative, more negative (`votes.negative`: the other
/// text is then the more positive); each answer is "a", "b" or "equal". Toxicity rows and ties hold no pair.
enum DExpertsJudgement {
    /// The pair of one row, or nil for a row of another task or a tie.
    static func pair(_ row: [String: Any], in lines: JSONLines) throws -> PreferencePair? {
        guard try lines.string(row, "task") == "sentiment" else { return nil }
        guard let votes = row["votes"] as? [String: Any] else { throw lines.error("field \"votes\" is missing or not an object") }
        let asked = ["positive", "negative"].filter { votes[$0] != nil }
        guard asked.count == 1, let question = asked.first else {
            throw lines.error("field \"votes\" must hold exactly one of \"positive\" and \"negative\"")
        }
        let answer = votes[question] as? String
        guard let answer, ["a", "b", "equal"].contains(answer) else {
            throw lines.error("field \"votes.\(question)\" must be \"a\", \"b\" or \"equal\"")
        }
        let prompt = try lines.string(row, "prompt"), a = try lines.string(row, "a"), b = try lines.string(row, "b")
        let group = try lines.string(row, "prompt_id")
        if answer == "equal" { return nil }
        let aIsMorePositive = (answer == "a") == (question == "positive")
        return PreferencePair(prompt: prompt, chosen: aIsMorePositive ? a : b, rejected: aIsMorePositive ? b : a, group: group)
    }
}
