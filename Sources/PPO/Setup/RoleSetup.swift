import ClusterCore
import Datasets
import Foundation
import ModelIO
import Models
import Wire

/// Builds each worker role from a run config, the same way in the embedded run and in a worker
/// process: what the role loads, and the actor that runs it on a transport.
package enum RoleSetup {
    /// The frozen reference: `reference.model`, or the policy's starting weights (copied, or taken as
    /// they are when `policy` is owned by this worker alone).
    package static func reference(_ config: PPORunConfig, policy: LoadedPolicy, ownsPolicy: Bool) throws -> CausalLM {
        let model: CausalLM
        if let path = config.referenceModel {
            let bundle = try ModelBundle.load(path: path, tokenizerPath: config.policyTokenizer, loadsTokenizer: false)
            // the reference scores the policy's token ids: the same ids must mean the same tokens
            guard bundle.config.vocabSize == policy.config.vocabSize else {
                throw RunConfigError.outOfRange(file: "the run config", key: "reference.model", value: path,
                                                requirement: "a model with the policy's vocabulary (\(policy.config.vocabSize) ids; it has \(bundle.config.vocabSize))")
            }
            model = CausalLM(config: bundle.config, parameters: bundle.parameters)
        } else {
            model = ownsPolicy ? CausalLM(config: policy.config, parameters: policy.parameters) : policy.frozenCopy()
        }
        model.freeze()
        return model
    }

    /// The reward function the config names, reading text with the policy's `tokenizer`.
    package static func reward(_ config: PPORunConfig, tokenizer: any Tokenizer) throws -> any RewardFunction {
        switch config.reward {
        case let .vader(lexicon):
            return VaderReward(vader: try VaderSentiment(lexiconDirectory: URL(fileURLWithPath: lexicon)), tokenizer: tokenizer)
        case let .model(path):
            return try ClassifierReward.load(path: path, policyTokenizer: tokenizer)
        }
    }

    /// Runs one worker of `role` on `transport` until it is told to stop or the transport closes; loads
    /// what the role needs from `config` (a worker process's whole life).
    /// `prepared` gets a generator's parameter store before it takes work (its layout checks weight streams).
    package static func runWorker(_ role: WorkerRole, config: PPORunConfig, transport: any WorkerTransport,
                                 prepared: (ParameterStore) -> Void = { _ in }) async throws {
        switch role {
        case .rollout:
            // the policy's weights come from the learner before any work (a generator holding no version is
            // sent the round's first), so only the model's shape is read: the join costs no weight load
            let shape = try ModelBundle.loadConfig(path: config.policyModel)
            guard let lora = config.loraConfig(for: shape.architecture) else {
                let model = CausalLM(config: shape)
                model.freeze()
                prepared(model.parameters)
                await RolloutGenerator(model: model, padID: LoadedPolicy.padID(shape), transport: transport).run()
                return
            }
            // a LoRA run publishes the adapter alone: the generator loads the base and merges each version into it
            let loaded = try LoadedPolicy.load(config, tokenizer: false)
            let model = CausalLM(config: loaded.config, parameters: loaded.parameters)
            model.freeze()
            let adapter = try AdapterInstall(model: model, config: lora)
            prepared(adapter.adapter.parameters)
            await RolloutGenerator(model: model, padID: LoadedPolicy.padID(shape), transport: transport, adapter: adapter).run()
        case .reward:
            let policy = try LoadedPolicy.load(config)
            await RewardScorer(reward: try reward(config, tokenizer: policy.requireTokenizer(config)), transport: transport).run()
        case .reference:
            let policy = try LoadedPolicy.load(config, tokenizer: false)
            await ReferenceWorker(reference: try reference(config, policy: policy, ownsPolicy: true), padID: policy.padID,
                                  transport: transport).run()
        }
    }
}
