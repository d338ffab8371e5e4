/// Turns a conversation into the prompt text a model was trained on.
public protocol ChatTemplate: Sendable {
    /// The template's name, as a command-line flag gives it.
    var name: String { get }
    /// `messages` as text; with `addGenerationPrompt`, followed by what opens the assistant's reply.
    func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> String
}
