import Data
import Foundation
import Models
import ModelIO
import Training
import Wire

/// Builds the learner from a run config: the policy (with its value head or a separate critic), the
/// PPO step and KL controller, the training and held-out prompts, and the sampling settings.
extension PPOLearner {
    /// A learner over `policy` (whose weights it trains in place) that leases work through `runner`.
    public static func make(_ config: PPORunConfig, policy loaded: LoadedPolicy, runner: RoundRunner) throws -> PPOLearner {
        let tokenizer = try loaded.requireTokenizer(config)
        let policy = CausalLM(config: loaded.config, parameters: loaded.parameters)
        let train = try IMDbReviews.load(path: config.data.train).map(\.text)
        let prompts = try PromptStream(texts: train, tokenizer: tokenizer, tokens: config.data.promptTokens, seed: config.seed)
        let test = try IMDbReviews.load(path: config.data.eval).map(\.text)
        var held = try PromptStream(texts: test, tokenizer: tokenizer, tokens: config.data.promptTokens, seed: config.seed &+ 1)
        var settings = config.ppo
        settings.temperature = config.generation.temperature
        let critic = try config.criticModel.map { path in try Self.critic(path, policy: policy) }
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

    /// The policy's tokenizer as Hugging Face files, for checkpoints (nil when it cannot be written).
    public static func tokenizerFiles(_ config: PPORunConfig, policy: LoadedPolicy) -> HuggingFaceTokenizerFiles? {
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
