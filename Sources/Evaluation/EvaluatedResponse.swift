/// One prompt's response under one policy, with everything `rlhf eval` measures of it.
package struct EvaluatedResponse: Sendable, Equatable, Codable {
    /// The prompt and the response, decoded with the policy's tokenizer (special tokens left out).
    package var prompt: String, response: String
    /// Tokens in the response (its EOS included when it ended with one).
    package var tokens: Int
    /// Whether the response ended with an end-of-sequence token (else it ran to the length limit).
    package var endedWithEOS: Bool
    /// The reward of (prompt, response).
    package var reward: Double
    /// Σ over the response's tokens of log π(token) − log π_ref(token) at the sampling temperature (PPO's
    /// `objective/kl` estimator); nil without a reference.
    package var kl: Double?
    /// VADER's compound sentiment of the response, in [−1, 1].
    package var sentiment: Double
    /// The harmlessness reward model's score of (prompt, response); nil without one.
    package var harmlessness: Double?

    enum CodingKeys: String, CodingKey {
        case prompt, response, tokens, reward, kl, sentiment, harmlessness
        case endedWithEOS = "ended_with_eos"
    }
}
