import Foundation

/// Picks a chat template by name (a command-line flag) or from a model's Jinja `chat_template`.
public enum ChatTemplateSelector {
    /// The names `template(named:)` accepts.
    public static let names = ["chatml", "smollm2", "hh"]

    /// The template called `name`: "chatml", "smollm2" (ChatML with SmolLM2's default system prompt),
    /// or "hh" / "anthropic-hh" / "anthropic".
    public static func template(named name: String) throws -> any ChatTemplate {
        switch name.lowercased() {
        case "chatml": return ChatMLTemplate.plain
        case "smollm2", "smollm": return ChatMLTemplate.smolLM2
        case "hh", "anthropic-hh", "anthropic": return AnthropicHHTemplate()
        default: throw ChatTemplateError.unknownName(name)
        }
    }

    /// The template a Jinja `chat_template` (from tokenizer_config.json or GGUF metadata) amounts to:
    /// ChatML when it writes `<|im_start|>`, keeping a default system prompt written as literal text in
    /// it; HH when it writes `Human:` and `Assistant:` turns; nil otherwise.
    public static func template(fromJinja source: String) -> (any ChatTemplate)? {
        if source.contains("<|im_start|>") {
            return ChatMLTemplate(defaultSystemPrompt: literalSystemPrompt(in: source))
        }
        if source.contains("Human: ") && source.contains("Assistant:") { return AnthropicHHTemplate() }
        return nil
    }

    /// The text between `<|im_start|>system` + newline and `<|im_end|>`, when it is literal (no Jinja).
    static func literalSystemPrompt(in source: String) -> String? {
        for newline in ["\n", "\\n"] {
            let opening = "<|im_start|>system" + newline
            guard let start = source.range(of: opening)?.upperBound,
                  let end = source[start...].range(of: "<|im_end|>")?.lowerBound else { continue }
            let prompt = String(source[start..<end])
            if prompt.isEmpty || prompt.contains("'") || prompt.contains("\"") || prompt.contains("{") || prompt.contains("}") { continue }
            return prompt
        }
        return nil
    }
}

/// A chat template that cannot be chosen.
public struct ChatTemplateError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, with its details: package-internal, so that cases can be added without breaking users.
    package enum Code: Equatable, Sendable {
        /// No template has this name.
        case unknownName(String)
    }

    /// What went wrong.
    package let code: Code

    /// The error of `code`.
    package init(_ code: Code) { self.code = code }

    /// No template has this name.
    public static func unknownName(_ v0: String) -> ChatTemplateError { ChatTemplateError(.unknownName(v0)) }

    /// A one-line description.
    public var description: String {
        switch code {
        case .unknownName(let name):
            return "unknown chat template \(name.debugDescription); choose one of \(ChatTemplateSelector.names.joined(separator: ", "))"
        }
    }
}
