import ArgumentParser
import Datasets
import Evaluation
import Foundation
import Generation
import ModelIO
import Models
import PPO

/// `rlhf eval`: samples every policy on the same prompts with the same seeds and compares them: reward
/// (mean, standard error, distribution), KL to the reference, VADER sentiment, a harmlessness score,
/// distinct-1/2, length and the share ending with EOS. Writes a terminal table, `OUTPUT/eval.json` (one
/// object per policy), `OUTPUT/responses.jsonl` (every response) and `OUTPUT/report.html`.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Compare policies on the same prompts: reward, KL, sentiment, harmlessness, diversity; writes eval.json and report.html.")

    @Option(help: ArgumentHelp("A policy: a model (Hugging Face folder, .gguf, llama2.c .bin), a PPO run folder (its newest checkpoint) or a checkpoint folder. Repeat it; the first is the baseline.",
                               valueName: "path"))
    var policy: [String] = []

    @Option(help: ArgumentHelp("A name for each --policy in the report, in order (default: from the path).", valueName: "name"))
    var name: [String] = []

    @Option(help: "Tokenizer file or folder for policies without their own (a llama2.c model).")
    var tokenizer: String?

    @Option(help: ArgumentHelp("The prompts file.", valueName: "file"))
    var prompts: String

    @Option(help: "How to read --prompts: lines (one per line, or JSON Lines with \"prompt\"), imdb (review openings, as rlhf ppo cuts them), hh (held-out first Human turns).")
    var promptFormat: EvalPromptFormat = .lines

    @Option(help: "Prompts to evaluate (at most).")
    var count = 128

    @Option(help: ArgumentHelp("With --prompt-format imdb: the opening's length range in tokens, MIN,MAX.", valueName: "min,max"))
    var promptTokens: IntegerList = IntegerList(argument: "2,8")!

    @Option(help: "Longest prompt in tokens (longer prompts are refused, or left out with --prompt-format hh).")
    var maxPromptTokens = 64

    @Flag(help: "Wrap each prompt as a user turn of the policy's chat template (--prompt-format lines or hh).")
    var chat = false

    @Option(help: ArgumentHelp("The reward model: a Hugging Face sequence classifier folder (rlhf reward train's output).", valueName: "dir"))
    var rewardModel: String?

    @Option(help: ArgumentHelp("A reward function instead of --reward-model: vader.", valueName: "name"))
    var reward: RewardFunction?

    @Option(help: ArgumentHelp("The harmlessness reward model for the harm score (e.g. the HH reward model of docs/RESULTS.md); default: not measured.", valueName: "dir"))
    var harmModel: String?

    @Option(help: ArgumentHelp("VADER's lexicon folder (default: $\(RewardFunctionOptions.vaderEnvironmentVariable), else \(RewardFunctionOptions.defaultVaderDirectory)).", valueName: "dir"))
    var vaderLexicon: String?

    @Option(help: ArgumentHelp("The reference model of the KL (default: the first --policy).", valueName: "path"))
    var reference: String?

    @Option(help: ArgumentHelp("A PPO run folder whose metrics.jsonl curves go in the report. Repeat it.", valueName: "dir"))
    var run: [String] = []

    @Option(help: "New tokens per response.")
    var maxNewTokens = 24

    @Option(help: "Sampling temperature (the KL is measured at it too).")
    var temperature: Float = 1

    @Option(help: "Top-k (0: off).")
    var topK = 0

    @Option(help: "Top-p (1: off).")
    var topP: Float = 1

    @Option(help: "Seed of the prompts' order and of the samples (the same for every policy).")
    var seed: UInt64 = 0

    @Option(help: "Prompts sampled together.")
    var batchSize = 16

    @Option(help: "Prompts shown in the report's samples table.")
    var samples = 10

    @Option(help: "Bins of the reward histograms.")
    var bins = 20

    @Option(help: "The folder eval.json, responses.jsonl and report.html go to.")
    var output: String

    @OptionGroup var replace: ForceOption

    @Flag(help: "Print eval.json on standard output instead of the table.")
    var json = false

    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        guard !policy.isEmpty else { throw ValidationError("give at least one --policy") }
        guard policy.count <= 16 else { throw ValidationError("at most 16 --policy (the report compares them side by side)") }
        guard name.isEmpty || name.count == policy.count else {
            throw ValidationError("--name is given \(name.count) times for \(policy.count) --policy; give one per policy or none")
        }
        guard (rewardModel == nil) != (reward == nil) else { throw ValidationError("give exactly one of --reward-model and --reward") }
        guard (1...100_000).contains(count) else { throw ValidationError("--count must be 1 to 100000") }
        guard promptTokens.values.count == 2, promptTokens.values[0] >= 1, promptTokens.values[0] <= promptTokens.values[1],
              promptTokens.values[1] <= 4096 else { throw ValidationError("--prompt-tokens must be MIN,MAX with 1 <= MIN <= MAX <= 4096") }
        guard (1...4096).contains(maxPromptTokens) else { throw ValidationError("--max-prompt-tokens must be 1 to 4096") }
        if chat && promptFormat == .imdb { throw ValidationError("--chat goes with --prompt-format lines or hh") }
        guard (1...4096).contains(maxNewTokens) else { throw ValidationError("--max-new-tokens must be 1 to 4096") }
        guard temperature.isFinite, temperature > 0, temperature <= 100 else { throw ValidationError("--temperature must be above 0 and at most 100") }
        guard topK >= 0 else { throw ValidationError("--top-k must be 0 or more") }
        guard topP.isFinite, topP > 0, topP <= 1 else { throw ValidationError("--top-p must be in (0, 1]") }
        guard (1...1024).contains(batchSize) else { throw ValidationError("--batch-size must be 1 to 1024") }
        guard (0...1000).contains(samples) else { throw ValidationError("--samples must be 0 to 1000") }
        guard (1...200).contains(bins) else { throw ValidationError("--bins must be 1 to 200") }
        guard !output.isEmpty else { throw ValidationError("--output is empty; name the folder") }
    }

    /// The rule `--output` is written under.
    var outputRule: OutputFolder {
        let inputs = policy.map { InputPath("--policy", $0) } + [InputPath("--prompts", prompts)]
            + [rewardModel.map { InputPath("--reward-model", $0) }, harmModel.map { InputPath("--harm-model", $0) },
               reference.map { InputPath("--reference", $0) }, tokenizer.map { InputPath("--tokenizer", $0) }].compactMap { $0 }
            + run.map { InputPath("--run", $0) }
        return OutputFolder(output, flag: "--output", command: "eval", force: replace.force, inputs: inputs)
    }

    func run() async throws {
        try compute.apply()
        _ = try outputRule.check(replacing: true)
        let locations = try policy.map(PolicyLocation.resolve)
        let curves = try run.map { folder -> RunCurves in
            do { return try RunCurves.read(run: folder) } catch { throw CommandInputError.flags("--run: \(error)") }
        }
        // the first policy's tokenizer and chat template serve every policy
        let first = try ModelBundle.load(path: locations[0].model, tokenizerPath: tokenizer, requireTokenizer: true)
        guard let textTokenizer = first.tokenizer else { throw CommandInputError.noTokenizer(model: locations[0].model) }
        // a policy or reference that cannot be compared fails before any work
        let referenceModelPath = try reference.map { try PolicyLocation.resolve($0).model }
        for (flag, given, model) in zip(policy, locations).dropFirst().map({ ("--policy", $0.0, $0.1.model) })
            + (reference.map { [("--reference", $0, referenceModelPath!)] } ?? []) {
            try Self.requireVocabulary(of: ModelBundle.loadConfig(path: model), matching: first.config, flag: flag, path: given)
        }
        let template = chat ? try ChatEncoding.template(named: nil, modelTemplate: first.chatTemplate) : nil
        let evalPrompts = try EvalPrompts.read(path: prompts, format: promptFormat, count: count,
                                               promptTokens: promptTokens.values[0]...promptTokens.values[1], maxTokens: maxPromptTokens,
                                               seed: seed, tokenizer: textTokenizer, chatTemplate: template)
        let vaderDirectory = RewardFunctionOptions.vaderDirectory(flag: vaderLexicon)
        let vader = try VaderSentiment(lexiconDirectory: URL(fileURLWithPath: vaderDirectory))
        let rewardFunction: any PPO.RewardFunction = try rewardModel.map { try ClassifierReward.load(path: $0, policyTokenizer: textTokenizer) }
            ?? VaderReward(vader: vader, tokenizer: textTokenizer)
        let harm = try harmModel.map { try ClassifierReward.load(path: $0, policyTokenizer: textTokenizer) }
        let referenceModel = try referenceModelPath.map { Self.frozen(try ModelBundle.load(path: $0, tokenizerPath: tokenizer)) }
            ?? Self.frozen(first)
        let sampling = SamplingParameters(temperature: temperature, topK: topK, topP: topP, maxNewTokens: maxNewTokens,
                                          stopTokens: Set(first.config.eosTokenIDs), seed: seed)
        let evaluator = PolicyEvaluator(prompts: evalPrompts.tokens, tokenizer: textTokenizer, reward: rewardFunction, harmlessness: harm,
                                        vader: vader, reference: referenceModel, sampling: sampling, batchSize: batchSize)
        var responses: [[EvaluatedResponse]] = []
        for (index, location) in locations.enumerated() {
            let model = index == 0 ? Self.frozen(first) : Self.frozen(try ModelBundle.load(path: location.model, tokenizerPath: tokenizer))
            let label = name.isEmpty ? location.name : name[index]
            let progress = ProgressLine(label: "eval \(label)", total: evalPrompts.tokens.count)
            responses.append(try evaluator.evaluate(model) { done, _ in progress.update(done) })
            progress.finish()
        }
        let labels = name.isEmpty ? Self.distinct(locations.map(\.name)) : name
        let range = PolicySummary.sharedRange(responses.flatMap { $0.map(\.reward) })
        let summaries = PolicySummary.withGains(try zip(labels, zip(locations, responses)).map { label, pair in
            guard let summary = PolicySummary(policy: label, path: pair.0.model, responses: pair.1, bins: bins, range: range) else {
                throw CommandInputError.nonFinite(what: "a reward or score of \(label)")
            }
            return summary
        })
        let setting = EvaluationReport.Setting(
            prompts: evalPrompts.description,
            sampling: "temperature \(temperature), top-k \(topK), top-p \(topP), \(maxNewTokens) new tokens at most, seed \(seed), batches of \(batchSize)",
            reward: rewardModel.map { "reward model \($0)" } ?? "VADER's compound sentiment of the response (lexicon \(vaderDirectory))",
            harmlessness: harmModel.map { "harmlessness reward model \($0) (higher is more harmless)" } ?? "not measured (give --harm-model)",
            reference: reference ?? "the first policy, \(locations[0].model)",
            date: ISO8601DateFormatter().string(from: Date()))
        let report = EvaluationReport(setting: setting, summaries: summaries, responses: responses, runs: curves, samples: samples)
        let folder = try outputRule.stage()
        defer { folder.discard() }
        let summaryJSON = try Self.json(summaries)
        try Data(summaryJSON.utf8).write(to: folder.staging.appendingPathComponent("eval.json"))
        try Data(try Self.responseLines(labels, responses).utf8).write(to: folder.staging.appendingPathComponent("responses.jsonl"))
        try Data(report.html.utf8).write(to: folder.staging.appendingPathComponent("report.html"))
        try folder.commit()
        if json {
            try StandardOutput.write(summaryJSON)
        } else {
            try StandardOutput.write(EvalTable.render(summaries))
            try StandardOutput.line("wrote \(URL(fileURLWithPath: output).appendingPathComponent("report.html").path) and eval.json")
        }
    }

    /// `bundle`'s model, frozen.
    static func frozen(_ bundle: ModelBundle) -> CausalLM {
        let model = CausalLM(config: bundle.config, parameters: bundle.parameters)
        model.freeze()
        return model
    }

    /// Refuses a model (`flag` `path`, of `config`) that does not read the first policy's token ids.
    static func requireVocabulary(of config: TransformerConfig, matching first: TransformerConfig, flag: String, path: String) throws {
        guard config.vocabSize == first.vocabSize else {
            throw CommandInputError.flags("\(flag) \(path) has a vocabulary of \(config.vocabSize) tokens, the first policy \(first.vocabSize); the policies must share a tokenizer")
        }
    }

    /// `names` made distinct by a numeric suffix where they repeat.
    static func distinct(_ names: [String]) -> [String] {
        var seen: [String: Int] = [:]
        return names.map { name in
            seen[name, default: 0] += 1
            return seen[name]! == 1 ? name : "\(name)-\(seen[name]!)"
        }
    }

    /// `eval.json`: an array of the summaries, pretty-printed.
    static func json(_ summaries: [PolicySummary]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(summaries), as: UTF8.self) + "\n"
    }

    /// `responses.jsonl`: every response, one object per line with its policy's name and prompt index.
    static func responseLines(_ labels: [String], _ responses: [[EvaluatedResponse]]) throws -> String {
        struct Line: Encodable { let policy: String; let index: Int; let response: EvaluatedResponse
            func encode(to encoder: Encoder) throws {
                try response.encode(to: encoder)
                var container = encoder.container(keyedBy: Key.self)
                try container.encode(policy, forKey: .policy)
                try container.encode(index, forKey: .index)
            }
            enum Key: String, CodingKey { case policy, index }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var text = ""
        for (label, rows) in zip(labels, responses) {
            for (index, row) in rows.enumerated() {
                text += String(decoding: try encoder.encode(Line(policy: label, index: index, response: row)), as: UTF8.self) + "\n"
            }
        }
        return text
    }
}
