/// One supervised fine-tuning example: a prompt and the response to learn; the trained text is
/// `prompt + response`.
public struct SupervisedExample: Sendable, Equatable {
    /// The prompt (not trained on).
    public var prompt: String
    /// The response (trained on).
    public var response: String

    /// Creates an example.
    public init(prompt: String, response: String) {
        self.prompt = prompt
        self.response = response
    }
}
