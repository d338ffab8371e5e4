import Training

/// `state.json` of a PPO checkpoint: everything besides tensors that a resumed run needs to continue
/// exactly where the checkpoint was taken.
package struct PPOCheckpointState: Codable, Equatable, Sendable {
    /// Layout version of the checkpoint folder.
    package var format = 1
    /// Iterations completed: the resumed run starts with this one.
    package var iteration: Int
    /// The policy version (updates so far).
    package var version: Int
    /// The run seed, batch size and policy model the run was started with (a resume must match them).
    package var seed: String, batchSize: Int, policyModel: String
    /// The KL controller.
    package var klController: KLController
    /// The minibatch shuffling stream's state (a decimal UInt64; JSON numbers lose bits above 2^53).
    package var shuffleState: String
    /// The training prompts' data position.
    package var promptPosition: Int
    /// Each optimizer's step count (the schedule's position), actor first.
    package var optimizerSteps: [Int]
    /// Whether the values come from a separate critic (`critic/`) rather than a value head.
    package var hasCritic: Bool

    /// A state with every field given.
    package init(iteration: Int, version: Int, seed: String, batchSize: Int, policyModel: String, klController: KLController,
                shuffleState: String, promptPosition: Int, optimizerSteps: [Int], hasCritic: Bool) {
        self.iteration = iteration
        self.version = version
        self.seed = seed
        self.batchSize = batchSize
        self.policyModel = policyModel
        self.klController = klController
        self.shuffleState = shuffleState
        self.promptPosition = promptPosition
        self.optimizerSteps = optimizerSteps
        self.hasCritic = hasCritic
    }

    enum CodingKeys: String, CodingKey {
        case format, iteration, version, seed, batchSize = "batch_size", policyModel = "policy_model"
        case klController = "kl_controller", shuffleState = "shuffle_state", promptPosition = "prompt_position"
        case optimizerSteps = "optimizer_steps", hasCritic = "critic"
    }
}

extension PPOCheckpointState {
    /// The largest data position a checkpoint may hold (2^48 prompts: far past any data set, far from overflow).
    package static let maximumPosition = 1 << 48
    /// The largest KL coefficient a checkpoint may hold.
    package static let maximumKLCoefficient = 1e6

    /// Throws unless every field is in its range and the checkpoint belongs to a run of `config`: the
    /// layout version, iteration = version (one update per iteration) within 0...2^31, the data position
    /// within 0...2^48, each optimizer's steps within what the iterations can have taken, a finite and
    /// non-negative KL coefficient with a positive target and horizon, a decimal shuffling state, and the
    /// seed, batch size and policy of the config. `file` names `state.json` in errors.
    package func check(against config: PPORunConfig, file: String) throws(PPOCheckpointError) {
        func outOfRange(_ field: String, _ value: String, _ requirement: String) -> PPOCheckpointError {
            .unreadable(file: file, reason: "\(field) is \(value); it must be \(requirement)")
        }
        guard format == 1 else { throw outOfRange("format", "\(format)", "1 (this build's layout)") }
        for (what, saved, now) in [("seed", seed, String(config.seed)), ("batch_size", String(batchSize), String(config.ppo.batchSize)),
                                   ("policy.model", policyModel, config.policyModel)] where saved != now {
            throw .mismatch(file: file, what: "\(what) was \(saved), the config says \(now)")
        }
        guard (0...(1 << 31)).contains(iteration) else { throw outOfRange("iteration", "\(iteration)", "between 0 and \(1 << 31)") }
        guard version == iteration else { throw outOfRange("version", "\(version)", "the iteration, \(iteration) (one update per iteration)") }
        guard (0...Self.maximumPosition).contains(promptPosition) else {
            throw outOfRange("prompt_position", "\(promptPosition)", "between 0 and \(Self.maximumPosition)")
        }
        // each iteration takes at most ppo_epochs × batch_size optimizer steps (minibatches hold at least one row)
        let (perIteration, overflow) = config.ppo.ppoEpochs.multipliedReportingOverflow(by: config.ppo.batchSize)
        let (most, overflow2) = perIteration.multipliedReportingOverflow(by: iteration)
        for (index, steps) in optimizerSteps.enumerated() where steps < 0 || (!overflow && !overflow2 && steps > most) {
            throw outOfRange("optimizer_steps[\(index)]", "\(steps)", "between 0 and \(overflow || overflow2 ? Int.max : most)")
        }
        let beta = klController.coefficient
        guard beta.isFinite, beta >= 0, beta <= Self.maximumKLCoefficient else {
            throw outOfRange("kl_controller.coefficient", "\(beta)", "a finite number between 0 and \(Self.maximumKLCoefficient)")
        }
        if case let .adaptive(target, horizon) = klController.mode, !(target.isFinite && target > 0 && horizon.isFinite && horizon > 0) {
            throw outOfRange("kl_controller.mode", "target \(target), horizon \(horizon)", "a positive finite target and horizon")
        }
        guard UInt64(shuffleState) != nil else { throw outOfRange("shuffle_state", "'\(shuffleState.prefix(40))'", "a decimal UInt64") }
    }
}
