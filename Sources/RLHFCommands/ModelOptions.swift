import ArgumentParser
import Foundation
import ModelIO
import Models

/// Options naming a model and, optionally, its tokenizer and chat template.
struct ModelOptions: ParsableArguments {
    @Option(help: "Model: a Hugging Face folder, a .gguf file, or a llama2.c .bin (with --tokenizer).")
    var model: String

    @Option(help: "Tokenizer file or folder (tokenizer.json, vocab.json, vocab.txt, llama2.c tokenizer.bin); default: the model's own.")
    var tokenizer: String?

    @Option(help: "Chat template for --chat: \(ChatTemplateSelector.names.joined(separator: ", ")) (default: from the model's metadata, else chatml).")
    var chatTemplate: String?

    func validate() throws { try ChatEncoding.validate(templateName: chatTemplate) }

    /// The paths these options read.
    var inputs: [InputPath] { [InputPath("--model", model)] + (tokenizer.map { [InputPath("--tokenizer", $0)] } ?? []) }

    /// Warns (one line on standard error) when `--chat-template` is given without `--chat`.
    func warnAboutIgnoredOptions(chat: Bool) {
        if chatTemplate != nil && !chat { CommandWarning.emit("--chat-template has no effect without --chat") }
    }

    /// Loads the model (and its tokenizer when `needsTokenizer`).
    func load(needsTokenizer: Bool) throws -> (CausalLM, ModelBundle) {
        let bundle = try ModelBundle.load(path: model, tokenizerPath: tokenizer, requireTokenizer: needsTokenizer)
        return (CausalLM(config: bundle.config, parameters: bundle.parameters), bundle)
    }

    /// The template `--chat` uses: the flag's, else the model's, else ChatML.
    func template(for bundle: ModelBundle) throws -> any ChatTemplate {
        try ChatEncoding.template(named: chatTemplate, modelTemplate: bundle.chatTemplate)
    }

    /// Token ids of `text`: as one user turn with the assistant turn opened when `chat` (exactly what
    /// `apply_chat_template(..., add_generation_prompt=True)` tokenizes), else with the special tokens the
    /// tokenizer adds by default.
    func encode(_ text: String, chat: Bool, bundle: ModelBundle) throws -> [Int] {
        guard let tokenizer = bundle.tokenizer else { throw CommandInputError.noTokenizer(model: model) }
        return try ChatEncoding.tokens(text, tokenizer: tokenizer, chatTemplate: chat ? template(for: bundle) : nil,
                                       limit: bundle.config.maxPositions)
    }
}
