import Datasets
import Foundation
import ModelIO
import Models
import Training
import Wire

/// Builds the learner from a run config: the policy (with its value head or a separate critic), the
/// PPO step and KL controller, the training and held-out prompts, and the sampling settings.
extension PPOLearner {
    /// A learner over `policy` (whose weights it trains in place) that leases work through `runner`.
    package static func make(_ config: PPORunConfig, policy loaded: LoadedPolicy, runner: RoundRunner) throws -> PPOLearner {
        let tokenizer = try loaded.requireTokenizer(config)
        let policy = CausalLM(config: loaded.config, parameters: loaded.parameters)
        if let lora = config.loraConfig(for: policy.config.architecture) {
            // only the adapter trains, and only the adapter is published: generators merge it into their base
            let adapter = try LoRAAdapter(config: lora, model: policy.config, backend: policy.backend, seed: config.seed)
            policy.parameters.freeze()
            try policy.attach(adapter: adapter)
        }
        let critic = try config.criticModel.map { path in try Self.critic(path, policy: policy) }
        let (prompts, heldOut) = try promptStreams(config, tokenizer: tokenizer)
        var held = heldOut
        var settings = config.ppo
        settings.temperature = config.generation.temperature
        let step = try PPOLearnerStep(
            update: PPOUpdate(policy: policy, critic: critic, settings: settings, seed: config.seed),
            klController: KLController(initial: config.initKLCoefficient,
                                       mode: config.adaptiveKL ? .adaptive(target: config.klTarget, horizon: config.klHorizon) : .fixed),
            advantage: config.advantage, samplesPerPrompt: config.samplesPerPrompt, noEOSPenalty: config.noEOSPenalty,
            padID: loaded.padID)
        let g = config.generation
        let sampling = SamplingSettings(temperature: g.temperature, topK: g.topK, topP: g.topP, minP: g.minP,
                                        maxNewTokens: g.maxNewTokens, stopTokens: loaded.config.eosTokenIDs)
        return PPOLearner(config: config, step: step, prompts: prompts, evalPrompts: held.next(config.data.evalPrompts),
                          tokenizer: tokenizer, sampling: sampling, runner: runner)
    }

    /// The training and held-out prompt streams of `config.data`: IMDb reviews' first tokens, or the HH
    /// pairs' first Human turns (training prompts from the first pairs of `train`, held-out ones from the
    /// last `eval_fraction` of `eval`, split by line order as `rlhf reward train` splits them).
    static func promptStreams(_ config: PPORunConfig, tokenizer: any Tokenizer) throws -> (PromptStream, PromptStream) {
        let d = config.data
        guard d.format == "hh" else {
            let train = try IMDbReviews.load(path: d.train).map(\.text)
            let test = try IMDbReviews.load(path: d.eval).map(\.text)
            return (try PromptStream(texts: train, tokenizer: tokenizer, tokens: d.promptTokens, seed: config.seed),
                    try PromptStream(texts: test, tokenizer: tokenizer, tokens: d.promptTokens, seed: config.seed &+ 1))
        }
        let trainPairs = PreferenceSplit.byOrder(try PreferenceData.read(path: d.train, format: .hh).pairs, evalFraction: d.evalFraction).train
        let evalPairs = PreferenceSplit.byOrder(try PreferenceData.read(path: d.eval, format: .hh).pairs, evalFraction: d.evalFraction).eval
        // the first Human turns in the HH format, or each rendered as a user message by `policy.chat_template`
        let template = try config.chatTemplate.map { try ChatTemplateSelector.template(named: $0) }
        func prompts(_ pairs: [PreferencePair]) -> [String] {
            guard let template else { return HHPrompts.firstTurns(of: pairs) }
            return HHPrompts.firstHumanTexts(of: pairs).map { template.render([ChatMessage(role: .user, content: $0)], addGenerationPrompt: true) }
        }
        return (try PromptStream(wholeTexts: prompts(trainPairs), tokenizer: tokenizer, maxTokens: d.maxPromptTokens, seed: config.seed),
                try PromptStream(wholeTexts: prompts(evalPairs), tokenizer: tokenizer, maxTokens: d.maxPromptTokens, seed: config.seed &+ 1))
    }

    /// The policy's tokenizer as Hugging Face files, for checkpoints (nil when it cannot be written).
    package static func tokenizerFiles(_ config: PPORunConfig, policy: LoadedPolicy) -> HuggingFaceTokenizerFiles? {
        guard let tokenizer = policy.tokenizer else { return nil }
        return try? TokenizerJSONWriter.files(for: tokenizer, chatTemplate: policy.chatTemplateSource,
                                              modelMaxLength: policy.config.maxPositions,
                                              source: config.policyTokenizer ?? config.policyModel)
    }

    /// The separate critic `critic.model` names: a sequence classifier (a reward model) that reads the
    /// policy's token ids, so its vocabulary must be the policy's.
    static func critic(_ path: String, policy: CausalLM) throws -> SequenceClassifier {
        let url = URL(fileURLWithPath: path)
        guard try HFSequenceClassifier.isSequenceClassifier(directory: url) else {
            throw RunConfigError.outOfRange(file: "run config", key: "critic.model", value: path,
                                            requirement: "a Hugging Face sequence classifier folder (a reward model)")
        }
        let critic = try HFSequenceClassifier.load(directory: url, backend: policy.backend)
        guard critic.config.vocabSize == policy.config.vocabSize else {
            throw RunConfigError.outOfRange(file: "run config", key: "critic.model", value: path,
                                            requirement: "the policy's vocabulary (\(policy.config.vocabSize) ids; it has \(critic.config.vocabSize))")
        }
        return critic
    }
}
