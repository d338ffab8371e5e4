import ArgumentParser
import ModelIO

/// Text to token ids as the commands' `--text` / `--chat` do it, for any model that has a tokenizer and
/// possibly a chat template of its own (a causal LM's `ModelBundle`, a reward model's folder).
enum ChatEncoding {
    /// Refuses a `--chat-template` name that is not a known template.
    static func validate(templateName name: String?) throws {
        if let name, (try? ChatTemplateSelector.template(named: name)) == nil {
            throw ValidationError("unknown chat template '\(name)': expected one of \(ChatTemplateSelector.names.joined(separator: ", "))")
        }
    }

    /// The template `--chat` uses: `--chat-template`'s (`name`), else the model's own, else ChatML.
    static func template(named name: String?, modelTemplate: (any ChatTemplate)?) throws -> any ChatTemplate {
        if let name { return try ChatTemplateSelector.template(named: name) }
        return modelTemplate ?? ChatMLTemplate.plain
    }

    /// Token ids of `text`: with `template`, as one user turn with the assistant turn opened (exactly what
    /// `apply_chat_template(..., add_generation_prompt=True)` tokenizes); without, with the special tokens
    /// the tokenizer adds by default. A text far longer than `limit` tokens is cut before it is encoded:
    /// more than `limit` ids then come back, the first ones the whole text's (a caller refuses it anyway).
    static func tokens(_ text: String, tokenizer: any Tokenizer, chatTemplate template: (any ChatTemplate)?, limit: Int) throws -> [Int] {
        if let template {
            let rendered = template.render([.user(text)], addGenerationPrompt: true)
            return tokenizer.encode(rendered, addSpecialTokens: false, keeping: limit + 1, from: .start)
        }
        return tokenizer.encode(text, addSpecialTokens: true, keeping: limit + 1, from: .start)
    }
}
