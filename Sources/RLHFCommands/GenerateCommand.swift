import ArgumentParser
import Foundation
import Generation
import ModelIO
import Models

/// `rlhf generate`: sample a continuation of a prompt.
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Sample a continuation of a prompt with a KV cache.",
        discussion: "With one prompt and standard output a terminal, the text is printed as it is sampled.")

    @OptionGroup var modelOptions: ModelOptions
    /// Generation merges the adapter into the loaded weights first (W += alpha/r · B·A), so decoding
    /// costs what the base model's does.
    @OptionGroup(title: "LoRA (merged into the weights before generating)") var adapterOption: AdapterOption

    @Option(help: "The prompt text; repeat to sample several prompts as one batch.")
    var prompt: [String] = []

    @Option(help: ArgumentHelp("""
        Read the prompts from a file (- for standard input): one per line, or JSON Lines with a "prompt" field.
        """, valueName: "path"))
    var promptFile: String?

    @Flag(help: "Wrap the prompt as one user message in the chat template, assistant turn opened.")
    var chat = false

    @Option(help: "Most new tokens (generation also stops at the model's end-of-sequence tokens).")
    var maxNewTokens: Int = 64

    @Option(help: "Sampling temperature (> 0).")
    var temperature: Float?

    @Option(help: "Keep only the k most likely tokens (0: all).")
    var topK: Int?

    @Option(help: "Nucleus sampling: keep the most likely tokens up to this probability mass (1: all).")
    var topP: Float?

    @Option(help: "Drop tokens less likely than min-p times the most likely one (0: none).")
    var minP: Float?

    @Option(help: "Random seed: the same seed gives the same sample.")
    var seed: UInt64?

    @Flag(help: "Take the most likely token at every step.")
    var greedy = false

    @Flag(help: "Print one JSON object {\"ids\": [...], \"text\": \"...\", \"logprobs\": [...]} per prompt, one a line.")
    var json = false

    @OptionGroup var compute: ComputeOptions

    var sampling: SamplingParameters {
        SamplingParameters(temperature: temperature ?? 1, topK: topK ?? 0, topP: topP ?? 1, minP: minP ?? 0, greedy: greedy,
                           maxNewTokens: maxNewTokens, seed: seed ?? 0)
    }

    mutating func validate() throws {
        prompt = RepeatedOptions.unpack(prompt)
        if prompt.isEmpty && promptFile == nil { throw ValidationError("give at least one --prompt, or --prompt-file") }
        if !prompt.isEmpty && promptFile != nil { throw ValidationError("give --prompt or --prompt-file, not both") }
        guard (1...TransformerConfig.maximumDimension).contains(maxNewTokens) else {
            throw ValidationError("--max-new-tokens must be between 1 and \(TransformerConfig.maximumDimension), got \(maxNewTokens)")
        }
        if let problem = sampling.problem() { throw ValidationError(problem) }
    }

    /// Sampling flags `--greedy` makes meaningless.
    private var ignoredByGreedy: [String] {
        [("--temperature", temperature != nil), ("--top-k", topK != nil), ("--top-p", topP != nil),
         ("--min-p", minP != nil), ("--seed", seed != nil)].filter(\.1).map(\.0)
    }

    func run() async throws {
        try compute.apply()
        modelOptions.warnAboutIgnoredOptions(chat: chat)
        if greedy && !ignoredByGreedy.isEmpty {
            CommandWarning.emit("\(ignoredByGreedy.joined(separator: ", ")) \(ignoredByGreedy.count == 1 ? "has" : "have") no effect with --greedy")
        }
        let texts = try promptFile.map { try PromptFile.prompts(in: InputFile.read($0, flag: "--prompt-file"), path: $0) } ?? prompt
        let (lm, bundle) = try modelOptions.load(needsTokenizer: true)
        try adapterOption.apply(to: lm, merge: true)
        guard let tokenizer = bundle.tokenizer else { throw CommandInputError.noTokenizer(model: modelOptions.model) }
        let prompts = try texts.map { try modelOptions.encode($0, chat: chat, bundle: bundle) }
        if let empty = prompts.firstIndex(where: \.isEmpty) {
            throw ValidationError("prompt \(empty + 1) encodes to no tokens")
        }
        try checkFits(prompts, config: lm.config)
        var parameters = sampling
        parameters.stopTokens = Set(lm.config.eosTokenIDs + [tokenizer.eosTokenID].compactMap { $0 })
        let streaming = prompts.count == 1 && !json && isatty(1) != 0
        let progress = ProgressLine(label: "generating", total: streaming ? 0 : maxNewTokens, enabled: !streaming)
        let stream = streaming ? TextStream(tokenizer: tokenizer, prompt: prompts[0]) : nil
        var streamError: Error?
        let outputs = try Generator(model: lm).generate(prompts: prompts, parameters: parameters, progress: { done, _ in
            progress.update(done)
        }, onToken: { _, token in
            do { try stream?.append(token) } catch { streamError = streamError ?? error }
        })
        progress.finish()
        if let streamError { throw streamError }
        for (i, (promptIDs, out)) in zip(prompts, outputs).enumerated() {
            if let bad = out.logprobs.firstIndex(where: { !$0.isFinite }) {
                throw CommandInputError.nonFinite(what: "the log-probability of new token \(bad + 1) of prompt \(i + 1)")
            }
            let text = tokenizer.continuation(of: out.tokens, after: promptIDs)
            if json {
                try StandardOutput.line(try JSONOutput.line(GenerateResult(ids: out.tokens, text: text, logprobs: out.logprobs,
                                                                           finish_reason: out.finishReason.rawValue)))
            } else if let stream {
                try stream.finish(whole: text)
            } else if prompts.count == 1 {
                try StandardOutput.line(text)
            } else {
                let mean = out.logprobs.reduce(0, +) / Float(max(1, out.logprobs.count))
                try StandardOutput.write("[\(i + 1)] \(texts[i])\n\(text.trimmingCharacters(in: .whitespacesAndNewlines))\n"
                    + String(format: "    (%d tokens, mean log-prob %.3f, %@)\n\n", out.tokens.count, mean, out.finishReason.rawValue))
            }
        }
    }

    /// Throws unless every prompt plus `--max-new-tokens` fits the model's positions, and the KV cache and
    /// activations fit in memory.
    private func checkFits(_ prompts: [[Int]], config: TransformerConfig) throws {
        guard let (index, longest) = prompts.map(\.count).enumerated().max(by: { $0.element < $1.element }) else { return }
        let what = prompts.count == 1 ? "prompt" : "prompt \(index + 1)"
        guard longest <= config.maxPositions - maxNewTokens else {
            throw CommandInputError.tooLong(what: what, tokens: longest, atLeast: true, maxPositions: config.maxPositions,
                                            extra: " plus \(maxNewTokens) new (--max-new-tokens)")
        }
        try ModelWorkLimits.require(ModelWorkLimits.forwardFloats(config, batch: prompts.count, length: longest + maxNewTokens),
                                    for: "generating for \(prompts.count) prompt(s) of up to \(longest + maxNewTokens) tokens")
    }
}

/// The JSON shape of `rlhf generate --json`.
struct GenerateResult: Encodable {
    let ids: [Int]
    let text: String
    let logprobs: [Float]
    let finish_reason: String
}
