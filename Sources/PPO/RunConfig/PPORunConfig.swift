import Foundation
import Generation
import ModelIO
import Models
import Storage
import Training

/// Which advantage estimator the learner uses.
public enum AdvantageEstimator: String, Sendable, Equatable, CaseIterable {
    /// GAE with a value head or critic.
    case gae
    /// REINFORCE leave-one-out over k samples per prompt (no critic).
    case rloo
    /// Group-normalised rewards over k samples per prompt (no critic).
    case grpo
}

/// Where a sequence's score comes from.
public enum RewardSource: Sendable, Equatable {
    /// VADER's compound sentiment of the response text, from the lexicon in this folder.
    case vader(lexicon: String)
    /// A sequence classifier folder (`rlhf reward score` loads it).
    case model(path: String)
}

/// The prompts of a run.
public struct PromptSource: Sendable, Equatable {
    /// Data set format: `imdb` (text + label JSONL, first tokens as the prompt) or `hh` (HH-RLHF pairs, each
    /// first Human turn in the HH chat format as a whole prompt).
    public var format: String = "imdb"
    /// Training prompts file and held-out prompts file.
    public var train: String, eval: String
    /// Tokens each prompt keeps, drawn uniformly from this range (both ends included; `imdb`).
    public var promptTokens: ClosedRange<Int> = 2...8
    /// `hh`: the held-out share of the pairs, by line order (the last share), as `rlhf reward train`
    /// splits them: training prompts come from the first pairs of `train`, held-out ones from the last
    /// pairs of `eval` (which may be the same file).
    public var evalFraction: Double = 0.2
    /// `hh`: prompts longer than this many tokens are left out.
    public var maxPromptTokens: Int = 64
    /// Held-out prompts scored every `eval_every` iterations.
    public var evalPrompts: Int = 64
}

/// Everything `rlhf ppo` (and, later, the cluster's learner) runs from: TRL 0.11 `PPOConfig` keys at the
/// top level, then the models, reward, data, generation and role counts.
public struct PPORunConfig: Sendable, Equatable {
    /// The learner's PPO settings (`learning_rate`, `batch_size`, `mini_batch_size`, `ppo_epochs`, `gamma`,
    /// `lam`, `cliprange`, `cliprange_value`, `vf_coef`, `whiten_rewards`, `max_grad_norm`, `ratio_threshold`).
    public var ppo = PPOHyperparameters()
    /// KL penalty: `init_kl_coef`, `adap_kl_ctrl`, `target`, `horizon`.
    public var initKLCoefficient = 0.2, adaptiveKL = true, klTarget = 6.0, klHorizon = 10_000.0
    /// Run seed (`seed`).
    public var seed: UInt64 = 0
    /// PPO iterations, and how often to evaluate and checkpoint (0 = never).
    public var iterations = 1, evalEvery = 0, saveEvery = 0
    /// `advantage` and `samples_per_prompt` (k ≥ 2 for rloo/grpo).
    public var advantage = AdvantageEstimator.gae, samplesPerPrompt = 1
    /// Added to the score of a response that produced no EOS (`no_eos_penalty`; nil = none).
    public var noEOSPenalty: Double? = nil
    /// How many versions a rollout may lag the policy (`max_staleness`; 0 = on-policy).
    public var maxStaleness = 0
    /// The policy (`policy.model`, `policy.tokenizer`, and `policy.chat_template`: the template that renders
    /// each `hh` prompt's first Human turn as a user message, instead of the HH format).
    public var policyModel = "", policyTokenizer: String? = nil, chatTemplate: String? = nil
    /// The frozen reference (`reference.model`; default: the policy's starting weights).
    public var referenceModel: String? = nil
    /// A separate critic started from this reward model (`critic.model`; nil = a value head on the policy).
    public var criticModel: String? = nil
    /// A LoRA adapter trained instead of the policy's weights (`lora.rank`, `lora.alpha`, `lora.targets`
    /// comma-separated; nil = full fine-tuning). The reference is then the frozen base itself.
    public var lora: LoRAConfig? = nil
    /// The reward (`reward.function: vader` with `reward.lexicon`, or `reward.model`).
    public var reward = RewardSource.vader(lexicon: "models/vader")
    /// The prompts (`data.*`).
    public var data = PromptSource(train: "", eval: "")
    /// Sampling (`generation.max_new_tokens`, `temperature`, `top_k`, `top_p`, `min_p`).
    public var generation = SamplingParameters(temperature: 1, topK: 0, topP: 1, maxNewTokens: 24)
    /// Process counts of each worker role (`roles.rollout`, `roles.reward`, `roles.reference`).
    public var rolloutWorkers = 1, rewardWorkers = 1, referenceWorkers = 1
    /// Prompt rows per rollout task, the unit of work a worker is leased (`roles.task_rows`).
    public var taskRows = 4

    /// Every path the config names, with its key: what a run reads, which its output never replaces.
    public var namedPaths: [(key: String, path: String)] {
        var paths = [("policy.model", policyModel), ("data.train", data.train), ("data.eval", data.eval)]
        if let t = policyTokenizer { paths.append(("policy.tokenizer", t)) }
        if let m = referenceModel { paths.append(("reference.model", m)) }
        if let m = criticModel { paths.append(("critic.model", m)) }
        switch reward {
        case let .vader(lexicon): paths.append(("reward.lexicon", lexicon))
        case let .model(path): paths.append(("reward.model", path))
        }
        return paths
    }

    /// Reads `url`, applies `--set key=value` `overrides` (nested keys with dots), and validates every
    /// key: unknown keys, wrong types, out-of-range values and missing paths are errors naming the key.
    /// With `checkPaths` false, paths are not checked for existence.
    public static func load(_ url: URL, overrides: [String] = [], environment: [String: String] = ProcessInfo.processInfo.environment,
                            checkPaths: Bool = true) throws(RunConfigError) -> PPORunConfig {
        let text: String
        do { text = try SideFile.text(url.path, limit: SideFile.Limit.runConfig, what: "a run config") } catch {
            throw .unreadable(file: url.path, reason: error.reason)
        }
        return try parse(text, file: url.path, overrides: overrides, environment: environment, checkPaths: checkPaths)
    }

    /// `load` over YAML text.
    public static func parse(_ text: String, file: String, overrides: [String] = [], environment: [String: String] = [:],
                             checkPaths: Bool = false) throws(RunConfigError) -> PPORunConfig {
        var tree = try ConfigValue.parse(text, file: file)
        for override in overrides {
            guard let equals = override.firstIndex(of: "="), equals != override.startIndex else { throw .badOverride(override) }
            let path = override[..<equals].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard path.allSatisfy({ !$0.isEmpty }) else { throw .badOverride(override) }
            guard path.count <= YAMLNesting.maximumDepth else {
                throw .malformed(file: "--set", line: nil, reason: "the key \(override.prefix(40))... is nested \(path.count) deep; at most \(YAMLNesting.maximumDepth)")
            }
            let value = try ConfigValue.parse(String(override[override.index(after: equals)...]), file: "--set \(override)")
            tree.set(path, to: value == .mapping([]) ? .null : value)
        }
        let root = try ConfigNode(file: file, path: "", value: tree, environment: environment)
        var config = try RunConfigReader(root: root).read()
        if checkPaths { try RunConfigReader.checkPaths(&config, file: file) }
        return config
    }
}
