import Models

/// The memory a run config implies for its policy, checked once the policy's size is known and before
/// anything else is built: the longest sequence must fit the model's positions, a rollout task and the
/// learner's pass over a batch must fit in memory, and so must the copies of the model an embedded run
/// holds (one per generator and reference worker, plus the learner's weights, gradients and moments).
package enum PPORunLimits {
    /// Throws when `config`'s counts do not fit `model` (with `parameters` weights) on this machine;
    /// `embedded` counts the workers' copies as well.
    package static func check(_ config: PPORunConfig, model: TransformerConfig, parameters: Int, embedded: Bool) throws {
        let prompt = config.data.format == "hh" ? config.data.maxPromptTokens : config.data.promptTokens.upperBound
        let length = prompt + config.generation.maxNewTokens
        guard length <= model.maxPositions else {
            let key = config.data.format == "hh" ? "data.max_prompt_tokens" : "data.prompt_tokens"
            throw RunConfigError.outOfRange(file: "the run config", key: "generation.max_new_tokens",
                                            value: "\(config.generation.maxNewTokens) (plus \(prompt) prompt tokens, \(key))",
                                            requirement: "at most the policy's \(model.maxPositions) positions in all")
        }
        do {
            try ModelWorkLimits.require(ModelWorkLimits.forwardFloats(model, batch: config.taskRows, length: length),
                                        for: "a rollout task of roles.task_rows = \(config.taskRows) rows of \(length) tokens")
            try ModelWorkLimits.require(ModelWorkLimits.forwardFloats(model, batch: config.ppo.batchSize, length: length),
                                        for: "the learner's pass over batch_size = \(config.ppo.batchSize) rows of \(length) tokens")
            if embedded {
                // the learner's weights, gradients and two moments, then one copy per generator and reference worker
                let copies = 4 + config.rolloutWorkers + config.referenceWorkers
                try ModelWorkLimits.require(ModelWorkLimits.checked([copies, parameters], plus: []),
                                            for: "\(copies) copies of the policy's \(parameters) weights (roles.rollout = \(config.rolloutWorkers), roles.reference = \(config.referenceWorkers))")
            }
        } catch {
            throw RunConfigError.outOfRange(file: "the run config", key: "its counts", value: "too large", requirement: "within memory: \(error)")
        }
    }
}
