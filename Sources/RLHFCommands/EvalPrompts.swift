import ArgumentParser
import Datasets
import ModelIO
import Storage

/// Where `rlhf eval`'s prompts come from (`--prompt-format`).
enum EvalPromptFormat: String, ExpressibleByArgument, CaseIterable {
    /// One prompt per line, or JSON Lines with a "prompt" string (what `rlhf pairs --prompts` reads).
    case lines
    /// IMDb reviews (JSON Lines with "text" and "label"): the first 2-8 tokens of each, cut as `rlhf ppo`
    /// cuts its held-out prompts, so the same seed gives the same prompts.
    case imdb
    /// HH-RLHF pairs: the first Human turn of each pair in the held-out 20% (by line order), as `rlhf ppo`
    /// and `rlhf reward train` split them.
    case hh
}

/// The prompts of an evaluation in the policies' token ids, and how the report describes them.
struct EvalPrompts {
    /// One row of token ids per prompt, in order.
    let tokens: [[Int]]
    /// "128 IMDb test review openings (2-8 tokens) from PATH".
    let description: String

    /// Reads at most `count` prompts from `path` in `format`, encoded by `tokenizer` (as a user turn of
    /// `chatTemplate` when given), none longer than `maxTokens`.
    static func read(path: String, format: EvalPromptFormat, count: Int, promptTokens: ClosedRange<Int>, maxTokens: Int,
                     seed: UInt64, tokenizer: any Tokenizer, chatTemplate: (any ChatTemplate)?) throws -> EvalPrompts {
        switch format {
        case .lines:
            let kind = FileKind.following(path)
            guard kind == .regular else {
                throw CommandInputError.unreadable(flag: "--prompts", path: path, reason: kind == .missing ? "no such file" : "is \(kind.phrase), not a regular file")
            }
            let texts = Array(try PromptFile.prompts(in: try InputFile.read(path, flag: "--prompts"), path: path, flag: "--prompts").prefix(count))
            let tokens = try texts.enumerated().map { index, text in
                let ids = try ChatEncoding.tokens(text, tokenizer: tokenizer, chatTemplate: chatTemplate, limit: maxTokens)
                guard !ids.isEmpty, ids.count <= maxTokens else {
                    throw CommandInputError.malformed(flag: "--prompts", path: path, line: index + 1,
                                                      reason: ids.isEmpty ? "the prompt encodes to no tokens" : "the prompt is longer than --max-prompt-tokens (\(maxTokens))")
                }
                return ids
            }
            return EvalPrompts(tokens: tokens, description: "\(tokens.count) prompts from \(path)\(chatTemplate == nil ? "" : ", each as a chat user turn")")
        case .imdb:
            let reviews = try IMDbReviews.load(path: path).map(\.text)
            var stream = try PromptStream(texts: reviews, tokenizer: tokenizer, tokens: promptTokens, seed: seed &+ 1)
            let tokens = stream.next(min(count, stream.count))
            return EvalPrompts(tokens: tokens, description: "\(tokens.count) IMDb review openings (\(promptTokens.lowerBound)-\(promptTokens.upperBound) tokens) from \(path), seed \(seed)")
        case .hh:
            let pairs = PreferenceSplit.byOrder(try PreferenceData.read(path: path, format: .hh).pairs, evalFraction: 0.2).eval
            let texts = chatTemplate.map { template in
                HHPrompts.firstHumanTexts(of: pairs).map { template.render([ChatMessage(role: .user, content: $0)], addGenerationPrompt: true) }
            } ?? HHPrompts.firstTurns(of: pairs)
            var stream = try PromptStream(wholeTexts: texts, tokenizer: tokenizer, maxTokens: maxTokens, seed: seed &+ 1)
            let tokens = stream.next(min(count, stream.count))
            return EvalPrompts(tokens: tokens, description: "\(tokens.count) held-out HH first Human turns (the last 20% of the pairs) from \(path)\(chatTemplate == nil ? "" : " in the chat template"), seed \(seed)")
        }
    }
}
