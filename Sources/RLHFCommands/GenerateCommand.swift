import ArgumentParser
import Foundation
import Generation
import Models
import ModelIO

/// `rlhf generate`: sample a continuation of a prompt.
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Sample a continuation of a prompt with a KV cache.")

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "The prompt text; repeat to sample several prompts as one batch.")
    var prompt: [String]

    @Flag(help: "Wrap the prompt as one user message in the chat template, assistant turn opened.")
    var chat = false

    @Option(help: "Most new tokens (generation also stops at the model's end-of-sequence tokens).")
    var maxNewTokens: Int = 64

    @Option(help: "Sampling temperature (> 0).")
    var temperature: Float = 1

    @Option(help: "Keep only the k most likely tokens (0: all).")
    var topK: Int = 0

    @Option(help: "Nucleus sampling: keep the most likely tokens up to this probability mass (1: all).")
    var topP: Float = 1

    @Option(help: "Drop tokens less likely than min-p times the most likely one (0: none).")
    var minP: Float = 0

    @Option(help: "Random seed: the same seed gives the same sample.")
    var seed: UInt64 = 0

    @Flag(help: "Take the most likely token at every step.")
    var greedy = false

    @Flag(help: "Print one JSON object {\"ids\": [...], \"text\": \"...\", \"logprobs\": [...]} for the new tokens.")
    var json = false

    @OptionGroup var compute: ComputeOptions

    var sampling: SamplingParameters {
        SamplingParameters(temperature: temperature, topK: topK, topP: topP, minP: minP, greedy: greedy,
                           maxNewTokens: maxNewTokens, seed: seed)
    }

    func validate() throws {
        if prompt.isEmpty { throw ValidationError("give at least one --prompt") }
        if let problem = sampling.problem() { throw ValidationError(problem) }
    }

    func run() async throws {
        compute.apply()
        let (lm, bundle) = try modelOptions.load(needsTokenizer: true)
        let tokenizer = bundle.tokenizer!
        let prompts = try prompt.map { try modelOptions.encode($0, chat: chat, bundle: bundle) }
        if let empty = prompts.firstIndex(where: \.isEmpty) {
            throw ValidationError("prompt \(empty + 1) encodes to no tokens")
        }
        var parameters = sampling
        parameters.stopTokens = Set(lm.config.eosTokenIDs + [tokenizer.eosTokenID].compactMap { $0 })
        let progress = ProgressLine(label: "generating", total: maxNewTokens)
        let outputs = try Generator(model: lm).generate(prompts: prompts, parameters: parameters) { done, _ in
            progress.update(done)
        }
        progress.finish()
        for (i, (promptIDs, out)) in zip(prompts, outputs).enumerated() {
            // decode in context: tokenizers that drop a leading space after BOS (SentencePiece, llama2.c)
            // then print the continuation exactly as it reads after the prompt
            let prefix = tokenizer.decode(promptIDs, skipSpecialTokens: true)
            let whole = tokenizer.decode(promptIDs + out.tokens, skipSpecialTokens: true)
            let text = whole.hasPrefix(prefix) ? String(whole.dropFirst(prefix.count))
                : tokenizer.decode(out.tokens, skipSpecialTokens: true)
            if json {
                print(try JSONOutput.line(GenerateResult(ids: out.tokens, text: text, logprobs: out.logprobs,
                                                         finish_reason: out.finishReason.rawValue)))
            } else if prompts.count == 1 {
                print(text)
            } else {
                let mean = out.logprobs.reduce(0, +) / Float(max(1, out.logprobs.count))
                print("[\(i + 1)] \(prompt[i])")
                print(text.trimmingCharacters(in: .whitespacesAndNewlines))
                print(String(format: "    (%d tokens, mean log-prob %.3f, %@)\n", out.tokens.count, mean, out.finishReason.rawValue))
            }
        }
    }
}

/// The JSON shape of `rlhf generate --json`.
struct GenerateResult: Encodable {
    let ids: [Int]
    let text: String
    let logprobs: [Float]
    let finish_reason: String
}
