import Training

/// `state.json` of a PPO checkpoint: everything besides tensors that a resumed run needs to continue
/// exactly where the checkpoint was taken.
public struct PPOCheckpointState: Codable, Equatable, Sendable {
    /// Layout version of the checkpoint folder.
    public var format = 1
    /// Iterations completed: the resumed run starts with this one.
    public var iteration: Int
    /// The policy version (updates so far).
    public var version: Int
    /// The run seed, batch size and policy model the run was started with (a resume must match them).
    public var seed: String, batchSize: Int, policyModel: String
    /// The KL controller.
    public var klController: KLController
    /// The minibatch shuffling stream's state (a decimal UInt64; JSON numbers lose bits above 2^53).
    public var shuffleState: String
    /// The training prompts' data position.
    public var promptPosition: Int
    /// Each optimizer's step count (the schedule's position), actor first.
    public var optimizerSteps: [Int]
    /// Whether the values come from a separate critic (`critic/`) rather than a value head.
    public var hasCritic: Bool

    enum CodingKeys: String, CodingKey {
        case format, iteration, version, seed, batchSize = "batch_size", policyModel = "policy_model"
        case klController = "kl_controller", shuffleState = "shuffle_state", promptPosition = "prompt_position"
        case optimizerSteps = "optimizer_steps", hasCritic = "critic"
    }
}
