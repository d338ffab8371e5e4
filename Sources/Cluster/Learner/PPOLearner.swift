import Data
import Dispatch
import ModelIO
import Models
import Training
import Wire

/// The PPO learner: it owns the prompt stream, the policy version and the PPO update. Each iteration it
/// publishes the policy's weights (when they changed), leases that iteration's prompts as rollout tasks
/// to whatever workers are connected (`RoundRunner`), and learns from the complete batch in task order
/// (`PPOLearnerStep`). Its numbers depend on the run seed and the task ids alone, never on how many
/// workers there are or the order they answer in. The embedded run drives it over `InProcessHub`; the
/// cluster's learner process drives it over ZeroMQ.
public final class PPOLearner: @unchecked Sendable {
    /// The run's settings.
    public let config: PPORunConfig
    /// The learner's step (policy, value head, optimizer, KL controller).
    public let step: PPOLearnerStep
    /// The training prompts (its position is the data position a checkpoint saves).
    public var prompts: PromptStream
    /// The fixed held-out prompts.
    public let evalPrompts: [[Int]]
    /// Text for samples.
    public let tokenizer: any Tokenizer
    /// How responses are sampled.
    public let sampling: SamplingSettings
    /// Rows per rollout task.
    public let taskRows: Int
    /// The policy version the learner holds: the number of updates so far.
    public var version: Int
    /// Leases the work to the connected workers.
    public let runner: RoundRunner
    private var published: PolicyWeights?
    /// The published copy of the policy's values: rewritten only when the next version is published, by
    /// which time every generator installed the last one (its round could not complete before).
    private var snapshot: ParameterStore?

    /// A learner over `step` (its policy at `version`) that leases work through `runner`.
    public init(config: PPORunConfig, step: PPOLearnerStep, prompts: PromptStream, evalPrompts: [[Int]],
                tokenizer: any Tokenizer, sampling: SamplingSettings, runner: RoundRunner, version: Int = 0) {
        self.config = config
        self.step = step
        self.prompts = prompts
        self.evalPrompts = evalPrompts
        self.tokenizer = tokenizer
        self.sampling = sampling
        self.runner = runner
        self.version = version
        taskRows = config.taskRows
    }

    /// The current version's weights, copied into the snapshot once per version.
    private func weights() -> (PolicyWeights, seconds: Double) {
        if let published, published.version == version { return (published, 0) }
        let start = DispatchTime.now().uptimeNanoseconds
        let policy = step.update.policy.parameters
        if let snapshot {
            policy.backend.copy(from: policy.values.pointer, to: snapshot.values.pointer, count: policy.count)
        } else {
            snapshot = policy.copy()
        }
        let weights = PolicyWeightsLayout.publish(snapshot!, version: version, replaces: published?.version)
        published = weights
        return (weights, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    /// Splits `rows` into tasks of `taskRows` rows, ids of `iteration`, seeded by `seedIteration`'s ids.
    private func tasks(_ rows: [[Int]], iteration: Int, seedIteration: Int) -> [RolloutTask] {
        stride(from: 0, to: rows.count, by: taskRows).enumerated().map { index, start in
            RolloutTask(id: TaskID(iteration: iteration, index: index), policyVersion: version,
                        prompts: Array(rows[start..<min(start + taskRows, rows.count)]),
                        seed: TaskID(iteration: seedIteration, index: index).seed(runSeed: config.seed), sampling: sampling)
        }
    }

    /// Runs iteration `iteration` (the learner's version must be `iteration`); returns its metrics.
    public func runIteration(_ iteration: Int) async throws -> [String: Double] {
        let k = config.samplesPerPrompt
        let evaluates = config.evalEvery > 0 && iteration % config.evalEvery == 0
        // held-out evaluation before this iteration learns: iteration 0 gives the starting policy's numbers
        let evaluation = evaluates ? try await evaluate() : [:]
        if !evaluates { lastSamples = [] }
        let started = DispatchTime.now().uptimeNanoseconds
        let rows = prompts.next(config.ppo.batchSize / k).flatMap { Array(repeating: $0, count: k) }
        let (weights, download) = weights()
        let (leases0, requeued0) = await runner.counters
        let round = try await runner.run(iteration: iteration, tasks: tasks(rows, iteration: iteration, seedIteration: iteration),
                                         weights: weights)
        let (leases1, requeued1) = await runner.counters
        let learnStart = DispatchTime.now().uptimeNanoseconds
        var metrics = try step.learn(from: round.entries)
        version += 1
        let learnSeconds = Double(DispatchTime.now().uptimeNanoseconds - learnStart) / 1e9
        let generate = round.entries.reduce(0.0) { $0 + ($1.rollout?.seconds ?? 0) }
        let generated = round.entries.reduce(0) { $0 + ($1.rollout?.responses.reduce(0) { $0 + $1.count } ?? 0) }
        metrics["time/generate"] = generate
        metrics["time/score"] = round.entries.reduce(0.0) { $0 + ($1.scores?.seconds ?? 0) }
        metrics["time/reference"] = round.entries.reduce(0.0) { $0 + ($1.reference?.seconds ?? 0) }
        metrics["time/learn"] = learnSeconds
        metrics["time/sync"] = download + round.syncSeconds
        metrics["time/coordination"] = round.coordinationSeconds
        metrics["time/iteration"] = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        metrics["tokens_per_s"] = Double(generated) / max(generate, 1e-9)
        metrics["iteration"] = Double(iteration)
        metrics["cluster/samples_trained"] = Double(round.entries.reduce(0) { $0 + $1.task.prompts.count })
        metrics["cluster/leases_issued"] = Double(leases1 - leases0)
        metrics["cluster/leases_reissued"] = Double(requeued1 - requeued0)
        metrics["cluster/late_results_dropped"] = Double(round.dropped)  // late, duplicate, unknown or invalid
        metrics["cluster/version_lag_max"] = Double(round.entries.map { version - 1 - ($0.rollout?.policyVersion ?? version - 1) }.max() ?? 0)
        metrics.merge(await runner.transportCounters) { $1 }
        metrics.merge(evaluation) { $1 }
        return metrics
    }

    /// One held-out prompt, the response sampled for it and its reward.
    public struct Sample: Sendable, Equatable {
        /// Prompt and response text.
        public var prompt: String, response: String
        /// The response's reward.
        public var reward: Double
    }

    /// The first four held-out samples of the last `evaluate()` (empty after an iteration without one).
    public private(set) var lastSamples: [Sample] = []

    /// Mean and standard deviation of the reward on the held-out prompts, sampled with the same seeds at
    /// every evaluation, and the mean sequence KL to the reference on them (`eval/...`).
    public func evaluate() async throws -> [String: Double] {
        let (weights, _) = weights()
        // evaluation rounds have ids of their own (negative iterations), seeded alike every time
        let tasks = tasks(evalPrompts, iteration: -1 - version, seedIteration: -1)
        let round = try await runner.run(iteration: -1 - version, tasks: tasks, weights: weights)
        var rewards: [Double] = [], kl: [Double] = [], responses: [[Int]] = []
        for entry in round.entries {
            guard let rollout = entry.rollout, let scores = entry.scores, let reference = entry.reference else { continue }
            rewards += scores.scores.map(Double.init)
            responses += rollout.responses
            kl += zip(rollout.logProbs, reference.logProbs).map { zip($0, $1).reduce(0.0) { $0 + Double($1.0 - $1.1) } }
        }
        lastSamples = (0..<min(4, evalPrompts.count)).map { i in
            Sample(prompt: tokenizer.decode(evalPrompts[i], skipSpecialTokens: true),
                   response: tokenizer.decode(responses[i], skipSpecialTokens: true), reward: rewards[i])
        }
        let mean = rewards.reduce(0, +) / Double(rewards.count)
        let variance = rewards.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(rewards.count - 1, 1))
        return ["eval/reward_mean": mean, "eval/reward_std": variance.squareRoot(),
                "eval/kl": kl.reduce(0, +) / Double(kl.count)]
    }
}
