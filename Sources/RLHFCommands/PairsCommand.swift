import ArgumentParser
import Datasets
import Foundation
import Generation
import Logging
import ModelIO
import Models
import Trainers

/// `rlhf pairs`: preference pairs as the RLHF notebook makes them (seed 000, sections 2-3). Each prompt
/// gets two responses, A at the first `--temperatures` value and B at the second (top-p 0.9), and a
/// simulated annotator prefers one: VADER's compound score, the notebook's length/relevance/coherence
/// heuristic, or a reward model's score of prompt + response; ties are broken by a seeded coin. The output
/// is one JSON line per prompt in the `pairs` format that `rlhf dpo` and `rlhf reward train` read, with
/// the scores beside it (`PairRecord`); `--labeler none` writes the unlabelled form for a person to label.
struct PairsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pairs",
        abstract: "Sample two responses per prompt and label which is preferred with a simulated annotator.",
        discussion: """
            Each output line is {"prompt", "chosen", "rejected", "chosen_score", "rejected_score", "labeler", \
            "tie", "preferred": "a"|"b", "identical"}: the pairs format of rlhf dpo and rlhf reward train \
            --format pairs (which ignore the extra keys). Response A is sampled at the first temperature, B at \
            the second; responses are the continuations as they read after the prompt. Equal scores are a tie \
            (tie: true) decided by a coin seeded with --seed. A pair whose two responses are the same text is \
            kept and flagged identical: true. With --labeler none each line is {"prompt", "response_a", \
            "response_b", "labeler": "none", "identical"}, the input of the labeling app. The same --seed \
            gives the same file, whatever --batch. The file is written whole at the end (a temporary file \
            renamed into place), never over an input.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup(title: "LoRA (merged into the weights before generating)") var adapterOption: AdapterOption

    @Option(help: ArgumentHelp("""
        The prompts (- for standard input): one per line, or JSON Lines with a "prompt" field.
        """, valueName: "path"))
    var prompts: String

    @Option(help: ArgumentHelp("Who prefers a response: \(PairLabelerChoice.spellings).", valueName: "labeler"))
    var labeler: String

    @Option(help: ArgumentHelp("The JSON Lines file the pairs go to (replaced whole at the end).", valueName: "path"))
    var output: String

    @Option(help: ArgumentHelp("Sampling temperatures of responses A and B, comma-separated.", valueName: "a,b"))
    var temperatures: String = "0.7,1.0"

    @Option(help: "Nucleus sampling: keep the most likely tokens up to this probability mass (1: all).")
    var topP: Float = 0.9

    @Option(help: "Most new tokens per response (generation also stops at the model's end-of-sequence tokens).")
    var maxNewTokens: Int = 64

    @Option(help: "Random seed of the samples and of the tie-break coin: the same seed gives the same file.")
    var seed: UInt64 = 0

    @Flag(help: "Wrap each prompt as one user message in the chat template, assistant turn opened.")
    var chat = false

    @Option(help: "Prompts sampled at once.")
    var batch: Int = 8

    @Option(help: ArgumentHelp("Folder with vader_lexicon.txt and emoji_utf8_lexicon.txt for --labeler vader (default: $\(RewardFunctionOptions.vaderEnvironmentVariable), else \(RewardFunctionOptions.defaultVaderDirectory)).",
                               valueName: "dir"))
    var vaderLexicon: String?

    @Flag(help: "Print the summary as one JSON line {\"pairs\", \"ties\", \"identical\", \"preferred_a\", \"labeler\", \"output\"}.")
    var json = false

    @OptionGroup var compute: ComputeOptions

    /// A's and B's temperatures, from `--temperatures`.
    var temperaturePair: [Float] {
        get throws {
            let parts = temperatures.split(separator: ",", omittingEmptySubsequences: false)
            let values = parts.compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, values.count == 2, values.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw ValidationError("--temperatures must be two positive numbers a,b (as in 0.7,1.0), got '\(temperatures)'")
            }
            return values
        }
    }

    var sampling: SamplingParameters { SamplingParameters(topP: topP, maxNewTokens: maxNewTokens, seed: seed) }

    func validate() throws {
        let choice = try PairLabelerChoice(parsing: labeler)
        _ = try temperaturePair
        if let problem = sampling.problem() { throw ValidationError(problem.replacingOccurrences(of: "top-p", with: "--top-p")) }
        guard (1...TransformerConfig.maximumDimension).contains(maxNewTokens) else {
            throw ValidationError("--max-new-tokens must be between 1 and \(TransformerConfig.maximumDimension), got \(maxNewTokens)")
        }
        guard (1...4096).contains(batch) else { throw ValidationError("--batch must be between 1 and 4096, got \(batch)") }
        guard !output.isEmpty else { throw ValidationError("--output is empty; name the file") }
        if vaderLexicon != nil && choice != .vader { throw ValidationError("--vader-lexicon goes with --labeler vader") }
    }

    func run() async throws {
        try compute.apply()
        modelOptions.warnAboutIgnoredOptions(chat: chat)
        let logger = Logger(label: "rlhf.pairs")
        let choice = try PairLabelerChoice(parsing: labeler)
        let vaderDirectory = RewardFunctionOptions.vaderDirectory(flag: vaderLexicon)
        let file = try OutputFile(path: output, flag: "--output", protecting: [InputPath("--prompts", prompts)] + modelOptions.inputs
            + adapterOption.inputs + choice.inputs(vaderDirectory: vaderDirectory))
        let texts = try PromptFile.prompts(in: InputFile.read(prompts, flag: "--prompts"), path: prompts, flag: "--prompts")
        let pairLabeler = try choice.load(vaderDirectory: vaderDirectory)
        let (lm, bundle) = try modelOptions.load(needsTokenizer: true)
        try adapterOption.apply(to: lm, merge: true)
        guard let tokenizer = bundle.tokenizer else { throw CommandInputError.noTokenizer(model: modelOptions.model) }
        let encoded = try texts.map { try modelOptions.encode($0, chat: chat, bundle: bundle) }
        try checkFits(encoded, config: lm.config)
        var parameters = sampling
        parameters.stopTokens = Set(lm.config.eosTokenIDs + [tokenizer.eosTokenID].compactMap { $0 })
        let sampler = PairSampler(generator: Generator(model: lm), tokenizer: tokenizer, temperatures: try temperaturePair,
                                  sampling: parameters, seed: seed)
        let tieBreak = PairTieBreak(seed: seed)
        let progress = ProgressLine(label: "pairs", total: 2 * texts.count)
        var lines = "", summary = PairsSummary(labeler: pairLabeler.name, output: output)
        for start in stride(from: 0, to: texts.count, by: batch) {
            let range = start..<min(start + batch, texts.count)
            let pairs = try sampler.pairs(texts: Array(texts[range]), prompts: Array(encoded[range]), start: start) { done in
                progress.update(2 * start + done)
            }
            let judgements = try pairLabeler.judge(pairs, firstIndex: start, tieBreak: tieBreak)
            for (i, pair) in pairs.enumerated() {
                let judgement = judgements?[i]
                lines += try PairRecord.line(pair, judgement: judgement, labeler: pairLabeler.name) + "\n"
                summary.count(pair, judgement)
            }
        }
        progress.finish()
        try file.write(lines)
        logger.info("wrote \(summary.pairs) pairs to \(output)")
        if summary.identical > 0 {
            logger.notice("\(summary.identical) of \(summary.pairs) pairs have two identical responses (flagged identical: true)")
        }
        try StandardOutput.line(json ? try JSONOutput.line(summary) : summary.text)
    }

    /// Throws unless every prompt plus `--max-new-tokens` fits the model's positions, and the KV cache and
    /// activations of one batch fit in memory.
    private func checkFits(_ prompts: [[Int]], config: TransformerConfig) throws {
        guard let (index, longest) = prompts.map(\.count).enumerated().max(by: { $0.element < $1.element }) else { return }
        guard longest <= config.maxPositions - maxNewTokens else {
            throw CommandInputError.tooLong(what: "prompt \(index + 1) of --prompts \(self.prompts)", tokens: longest, atLeast: true,
                                            maxPositions: config.maxPositions, extra: " plus \(maxNewTokens) new (--max-new-tokens)")
        }
        let rows = min(batch, prompts.count)
        try ModelWorkLimits.require(ModelWorkLimits.forwardFloats(config, batch: rows, length: longest + maxNewTokens),
                                    for: "generating for \(rows) prompt(s) of up to \(longest + maxNewTokens) tokens")
    }
}

/// What `rlhf pairs` prints when done (one JSON line with `--json`).
struct PairsSummary: Encodable {
    let labeler: String
    let output: String
    var pairs = 0
    /// Pairs decided by the seeded coin.
    var ties = 0
    /// Pairs whose two responses are the same text.
    var identical = 0
    /// Pairs where response A (the first temperature) is preferred.
    var preferred_a = 0

    init(labeler: String, output: String) {
        self.labeler = labeler
        self.output = output
    }

    /// Counts one written pair.
    mutating func count(_ pair: ResponsePair, _ judgement: PairJudgement?) {
        pairs += 1
        if pair.identical { identical += 1 }
        if judgement?.tie == true { ties += 1 }
        if judgement?.prefersA == true { preferred_a += 1 }
    }

    /// The plain summary line.
    var text: String {
        labeler == "none"
            ? "\(pairs) unlabelled pairs (\(identical) identical) written to \(output)"
            : "\(pairs) pairs labelled by \(labeler) written to \(output): A preferred in \(preferred_a), \(ties) ties, \(identical) identical"
    }
}
