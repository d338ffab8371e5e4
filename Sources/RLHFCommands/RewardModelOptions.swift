import ArgumentParser
import ModelIO
import Trainers

/// Options naming a reward model folder and, optionally, its tokenizer and chat template.
struct RewardModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Reward model: a Hugging Face folder of a \(RewardModelError.classifierClasses) (or --function).", valueName: "dir"))
    var model: String?

    @Option(help: "Tokenizer file or folder (tokenizer.json, vocab.json, vocab.txt, a .gguf, llama2.c tokenizer.bin); default: the model folder's own.")
    var tokenizer: String?

    @Option(help: "Chat template for --chat: \(ChatTemplateSelector.names.joined(separator: ", ")) (default: from the folder's tokenizer_config.json, else chatml).")
    var chatTemplate: String?

    func validate() throws { try ChatEncoding.validate(templateName: chatTemplate) }

    /// Warns (one line each on standard error) about options the inputs make pointless: `--chat-template`
    /// without `--chat`, `--tokenizer` without text.
    func warnAboutIgnoredOptions(chat: Bool, hasText: Bool) {
        if chatTemplate != nil && !chat { CommandWarning.emit("--chat-template has no effect without --chat") }
        if tokenizer != nil && !hasText { CommandWarning.emit("--tokenizer has no effect with --ids") }
    }

    /// Loads the `--model` reward model (and its tokenizer when `needsTokenizer`).
    func load(needsTokenizer: Bool) throws -> RewardModel {
        guard let model else { throw CommandInputError.flags("give --model DIR or --function NAME") }
        return try RewardModel.load(path: model, tokenizerPath: tokenizer, needsTokenizer: needsTokenizer)
    }

    /// Token ids of `text` under `reward`'s tokenizer: one user turn of the chat template when `chat`.
    func encode(_ text: String, chat: Bool, reward: RewardModel) throws -> [Int] {
        guard let tokenizer = reward.tokenizer else { throw CommandInputError.noTokenizer(model: model ?? "the reward model") }
        let template = chat ? try ChatEncoding.template(named: chatTemplate, modelTemplate: reward.chatTemplate) : nil
        return try ChatEncoding.tokens(text, tokenizer: tokenizer, chatTemplate: template, limit: reward.classifier.config.maxPositions)
    }
}
