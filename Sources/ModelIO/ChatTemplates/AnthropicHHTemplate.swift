import Foundation

/// The Anthropic HH-RLHF format: `\n\nHuman: …` for user turns and `\n\nAssistant: …` for assistant
/// turns; the generation prompt is `\n\nAssistant:` (the reply brings its own leading space). HH has no
/// system role: a system message's content is written as it is, before the turns, where it stands.
public struct AnthropicHHTemplate: ChatTemplate {
    /// A short name for logs (`cpu`, `cuda:0`).
    public var name: String { "hh" }

    /// The HH template.
    public init() {}

    /// `messages` as text; with `addGenerationPrompt`, followed by what opens the assistant's reply.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> String {
        var text = ""
        for message in messages {
            switch message.role {
            case .user: text += "\n\nHuman: \(message.content)"
            case .assistant: text += "\n\nAssistant: \(message.content)"
            case .system: text += message.content
            default: text += "\n\n\(message.role.rawValue.capitalized): \(message.content)"
            }
        }
        if addGenerationPrompt { text += "\n\nAssistant:" }
        return text
    }
}
