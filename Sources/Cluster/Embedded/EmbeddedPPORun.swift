import Data
import Foundation
import Generation
import Models
import ModelIO
import Tensor
import Training
import Wire

/// A PPO run in one process from a `PPORunConfig` (the embedded default): the learner and the
/// configured numbers of rollout generators, reward scorers and reference workers, each a Swift actor,
/// all talking through an `InProcessHub` with the messages the cluster carries. Each generator holds
/// its own copy of the policy and installs every published version; each reference worker has its own
/// model (a model's scratch arenas belong to one caller at a time), the first one the reference itself.
public final class EmbeddedPPORun: @unchecked Sendable {
    /// The run's settings.
    public let config: PPORunConfig
    /// The learner.
    public let learner: PPOLearner
    /// The policy's tokenizer as Hugging Face files, for checkpoints (nil when it cannot be written).
    public let tokenizerFiles: HuggingFaceTokenizerFiles?
    private let hub = InProcessHub()
    private var workers: [Task<Void, Never>] = []

    /// Loads everything the config names and starts the workers.
    public init(config: PPORunConfig) throws {
        self.config = config
        let bundle = try ModelBundle.load(path: config.policyModel, tokenizerPath: config.policyTokenizer, requireTokenizer: true)
        guard let tokenizer = bundle.tokenizer else { throw ModelBundleError.noTokenizer(model: config.policyModel) }
        let policy = CausalLM(config: bundle.config, parameters: bundle.parameters)
        tokenizerFiles = try? TokenizerJSONWriter.files(for: tokenizer, chatTemplate: bundle.chatTemplateSource,
                                                        modelMaxLength: bundle.config.maxPositions,
                                                        source: config.policyTokenizer ?? config.policyModel)
        let reference: CausalLM
        if let path = config.referenceModel {
            let referenceBundle = try ModelBundle.load(path: path, tokenizerPath: config.policyTokenizer, loadsTokenizer: false)
            reference = CausalLM(config: referenceBundle.config, parameters: referenceBundle.parameters)
        } else {
            // the policy's starting weights, copied rather than read and decoded a second time
            reference = CausalLM(config: bundle.config, parameters: bundle.parameters.copy())
        }
        reference.freeze()
        let reward = try Self.reward(config.reward, tokenizer: tokenizer)
        let padID = bundle.config.eosTokenIDs.first ?? 0
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
            padID: padID)
        let g = config.generation
        let sampling = SamplingSettings(temperature: g.temperature, topK: g.topK, topP: g.topP, minP: g.minP,
                                        maxNewTokens: g.maxNewTokens, stopTokens: bundle.config.eosTokenIDs)
        learner = PPOLearner(config: config, step: step, prompts: prompts, evalPrompts: held.next(config.data.evalPrompts),
                             tokenizer: tokenizer, sampling: sampling, runner: RoundRunner(transport: hub))
        for index in 0..<config.rolloutWorkers {
            let copy = CausalLM(config: bundle.config, parameters: policy.parameters.copy())
            copy.freeze()
            start(RolloutGenerator(model: copy, padID: padID, transport: hub.connect(WorkerID(role: .rollout, index: index))).run)
        }
        for index in 0..<config.rewardWorkers {
            start(RewardScorer(reward: index == 0 ? reward : reward.replica(), transport: hub.connect(WorkerID(role: .reward, index: index))).run)
        }
        for index in 0..<config.referenceWorkers {
            let model = index == 0 ? reference : CausalLM(config: reference.config, parameters: reference.parameters.copy())
            model.freeze()
            start(ReferenceWorker(reference: model, padID: padID,
                                  transport: hub.connect(WorkerID(role: .reference, index: index))).run)
        }
    }

    private func start(_ body: @escaping @Sendable () async -> Void) {
        workers.append(Task.detached { await body() })
    }

    /// The reward function the config names.
    static func reward(_ source: RewardSource, tokenizer: any Tokenizer) throws -> any RewardFunction {
        switch source {
        case let .vader(lexicon):
            return VaderReward(vader: try VaderSentiment(lexiconDirectory: URL(fileURLWithPath: lexicon)), tokenizer: tokenizer)
        case let .model(path):
            return try ClassifierReward.load(path: path, policyTokenizer: tokenizer)
        }
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

    /// Runs iteration `iteration`; returns its metrics.
    @discardableResult
    public func runIteration(_ iteration: Int) async throws -> [String: Double] { try await learner.runIteration(iteration) }

    /// The held-out evaluation (`PPOLearner.evaluate`).
    public func evaluate() async throws -> [String: Double] { try await learner.evaluate() }

    /// The first held-out samples of the last evaluation.
    public var lastSamples: [PPOLearner.Sample] { learner.lastSamples }

    /// The learner's step.
    public var step: PPOLearnerStep { learner.step }

    /// Stops the workers and waits for them.
    public func shutdown() async {
        hub.close()
        for worker in workers { await worker.value }
        workers = []
    }
}
