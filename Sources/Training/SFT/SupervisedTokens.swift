/// One supervised example as token ids: the prompt (conditioned on, never trained on) and the response
/// (trained on). The model reads `prompt + response`; the loss is on the response's tokens only.
package struct SupervisedTokens: Sendable, Equatable {
    /// The prompt's ids, P of them (at least one: the first response token is predicted from the last).
    package var prompt: [Int]
    /// The response's ids, R of them (the end-of-text token last, when the caller appends it).
    package var response: [Int]

    /// An example of `prompt` and `response` ids.
    package init(prompt: [Int], response: [Int]) {
        self.prompt = prompt
        self.response = response
    }

    /// P + R: the row's length in a batch.
    package var count: Int { prompt.count + response.count }

    /// The example cut to at most `maxLength` tokens (at least 2) as TRL cuts it: first the prompt from
    /// the left (it keeps its end, the part next to the response), down to one token; then the response
    /// from the right (it keeps its start). One prompt and one response token always remain.
    package func fitted(to maxLength: Int) -> SupervisedTokens {
        let limit = max(2, maxLength)
        guard count > limit else { return self }
        let prompt = Array(self.prompt.suffix(max(1, limit - response.count)))
        let response = Array(self.response.prefix(max(1, limit - prompt.count)))
        return SupervisedTokens(prompt: prompt, response: response)
    }
}
