import Datasets
import ModelIO
import Training

/// Supervised examples to token ids as `rlhf sft` trains on them.
///
/// With a chat template, the prompt is the conversation before the response rendered with the
/// assistant turn opened (`apply_chat_template(..., add_generation_prompt=True)`), and the response is
/// what the template writes after it for the assistant turn (its end-of-turn marker included); a
/// `prompt`/`response` line is one user turn and its reply. Without a template, the prompt is encoded
/// with the tokenizer's special tokens (BOS) and the response without. The response ends with the
/// end-of-text token unless the template already wrote it. Each example is then cut to `maxLength`
/// (`SupervisedTokens.fitted`).
package struct SupervisedEncoding {
    /// The model's tokenizer.
    let tokenizer: any Tokenizer
    /// The chat template, or nil to train on the raw prompt and response texts.
    let template: (any ChatTemplate)?
    /// The end-of-text token, when the model has one.
    let eos: Int?
    /// Tokens per example at most.
    let maxLength: Int

    /// The ids of `example`, cut to `maxLength`.
    package func tokens(_ example: SupervisedExample) -> SupervisedTokens {
        var prompt: [Int], response: [Int]
        if let template {
            let messages = example.messages ?? [.user(example.prompt), .assistant(example.response)]
            let context = Array(messages.dropLast())
            let opened = template.render(context, addGenerationPrompt: true)
            let whole = template.render(messages, addGenerationPrompt: false)
            let reply = whole.hasPrefix(opened) ? String(whole.dropFirst(opened.count)) : messages.last?.content ?? example.response
            prompt = tokenizer.encode(opened, addSpecialTokens: false, keeping: maxLength, from: .end)
            response = tokenizer.encode(reply, addSpecialTokens: false, keeping: maxLength, from: .start)
        } else {
            prompt = tokenizer.encode(example.prompt, addSpecialTokens: true, keeping: maxLength, from: .end)
            response = tokenizer.encode(example.response, addSpecialTokens: false, keeping: maxLength, from: .start)
        }
        if let eos, !response.contains(eos) { response.append(eos) }
        if prompt.isEmpty { prompt = [eos ?? 0] }  // the first response token needs a position to be predicted from
        if response.isEmpty { response = [eos ?? 0] }
        return SupervisedTokens(prompt: prompt, response: response).fitted(to: maxLength)
    }
}
