import ClusterCore
import Foundation
import ModelIO
import Models
import Wire

/// A PPO run in one process from a `PPORunConfig` (the embedded default): the learner and the
/// configured numbers of rollout generators, reward scorers and reference workers, each a Swift actor,
/// all talking through an `InProcessHub` with the messages the cluster carries. Each generator holds
/// its own copy of the policy and installs every published version; each reference worker has its own
/// model (a model's scratch arenas belong to one caller at a time). The policy is read from disk once.
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
        let policy = try LoadedPolicy.load(config)
        try PPORunLimits.check(config, model: policy.config, parameters: policy.parameters.count, embedded: true)
        tokenizerFiles = PPOLearner.tokenizerFiles(config, policy: policy)
        // the workers copy the starting weights before the learner trains them in place
        let reference = try RoleSetup.reference(config, policy: policy, ownsPolicy: false)
        let generators = (0..<config.rolloutWorkers).map { _ in policy.frozenCopy() }
        let reward = try RoleSetup.reward(config, tokenizer: policy.requireTokenizer(config))
        learner = try PPOLearner.make(config, policy: policy, runner: RoundRunner(transport: hub))
        // in a LoRA run the generators merge each version into one shared copy of the base
        let base = config.lora == nil ? nil : generators.first?.parameters.copy()
        for (index, model) in generators.enumerated() {
            let adapter = try config.loraConfig(for: model.config.architecture).map { try AdapterInstall(model: model, config: $0, base: base) }
            start(RolloutGenerator(model: model, padID: policy.padID, transport: hub.connect(WorkerID(role: .rollout, index: index)),
                                   adapter: adapter).run)
        }
        for index in 0..<config.rewardWorkers {
            start(RewardScorer(reward: index == 0 ? reward : reward.replica(),
                               transport: hub.connect(WorkerID(role: .reward, index: index))).run)
        }
        for index in 0..<config.referenceWorkers {
            let model = index == 0 ? reference : CausalLM(config: reference.config, parameters: reference.parameters.copy())
            model.freeze()
            start(ReferenceWorker(reference: model, padID: policy.padID,
                                  transport: hub.connect(WorkerID(role: .reference, index: index))).run)
        }
    }

    private func start(_ body: @escaping @Sendable () async -> Void) {
        workers.append(Task.detached { await body() })
    }

    /// Runs iteration `iteration`; returns its metrics.
    @discardableResult
    public func runIteration(_ iteration: Int) async throws -> [String: Double] { try await learner.runIteration(iteration) }

    /// The held-out evaluation (`PPOLearner.evaluate`).
    public func evaluate() async throws -> [String: Double] { try await learner.evaluate() }

    /// The first held-out samples of the last evaluation.
    public var lastSamples: [PPOLearner.Sample] { learner.lastSamples }

    /// The learner's step.
    package var step: PPOLearnerStep { learner.step }

    /// Stops the workers and waits for them.
    public func shutdown() async {
        hub.close()
        for worker in workers { await worker.value }
        workers = []
    }
}
