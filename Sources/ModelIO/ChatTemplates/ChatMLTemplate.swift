/// ChatML: `<|im_start|>role\ncontent<|im_end|>\n` per message; the generation prompt is
/// `<|im_start|>assistant\n`. With a default system prompt (SmolLM2's), a system message holding it
/// comes first whenever the first message is not a system message, as SmolLM2's Jinja template does.
public struct ChatMLTemplate: ChatTemplate {
    /// The system prompt put first when the conversation does not start with one; nil for none.
    public var defaultSystemPrompt: String?

    /// A short name for logs (`cpu`, `cuda:0`).
    public var name: String { defaultSystemPrompt == Self.smolLM2.defaultSystemPrompt ? "smollm2" : "chatml" }

    /// ChatML with an optional default system prompt.
    public init(defaultSystemPrompt: String? = nil) {
        self.defaultSystemPrompt = defaultSystemPrompt
    }

    /// Plain ChatML, no default system prompt.
    public static let plain = ChatMLTemplate()
    /// SmolLM2-Instruct's template.
    public static let smolLM2 = ChatMLTemplate(defaultSystemPrompt: "You are a helpful AI assistant named SmolLM, trained by Hugging Face")

    /// `messages` as text; with `addGenerationPrompt`, followed by what opens the assistant's reply.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> String {
        var text = ""
        if let system = defaultSystemPrompt, let first = messages.first, first.role != .system {
            text += Self.turn(.system(system))
        }
        for message in messages { text += Self.turn(message) }
        if addGenerationPrompt { text += "<|im_start|>assistant\n" }
        return text
    }

    private static func turn(_ message: ChatMessage) -> String {
        "<|im_start|>\(message.role.rawValue)\n\(message.content)<|im_end|>\n"
    }
}
