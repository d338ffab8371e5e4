import ModelIO

/// One supervised fine-tuning example: a prompt and the response to learn; the trained text is
/// `prompt + response`.
public struct SupervisedExample: Sendable, Equatable {
    /// The prompt (not trained on).
    public var prompt: String
    /// The response (trained on).
    public var response: String
    /// The conversation as read from a `messages` line, its last message the response's assistant turn;
    /// nil for a `prompt`/`response` line. A trainer with a chat template renders these turns instead
    /// of the HH transcript in `prompt`.
    public var messages: [ChatMessage]?

    /// Creates an example.
    public init(prompt: String, response: String, messages: [ChatMessage]? = nil) {
        self.prompt = prompt
        self.response = response
        self.messages = messages
    }
}
