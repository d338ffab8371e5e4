import ClusterCore
import Datasets
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
    package let step: PPOLearnerStep
    /// The training prompts (its position is the data position a checkpoint saves).
    package var prompts: PromptStream
    /// The fixed held-out prompts.
    package let evalPrompts: [[Int]]
    /// Text for samples.
    package let tokenizer: any Tokenizer
    /// How responses are sampled.
    package let sampling: SamplingSettings
    /// Rows per rollout task.
    package let taskRows: Int
    /// The policy version the learner holds: the number of updates so far.
    public private(set) var version: Int
    /// Leases the work to the connected workers.
    package let runner: RoundRunner
    /// Published versions by number (at most `max_staleness + 1` of them live at once).
    private var published: [Int: PolicyWeights] = [:]
    /// The published copies of the policy's values, a ring of `max_staleness + 1`: version v lives in
    /// slot v mod (k + 1), rewritten k + 1 versions later, by when every round sampled with it trained.
    private var snapshots: [ParameterStore?]
    /// Rounds started and not yet trained on, by iteration; a round runs once the one before it ends.
    private var rounds: [Int: Task<RoundOutcome, any Error>] = [:]
    /// The last round started (evaluations included): the next one waits for it.
    private var lastRound: Task<RoundOutcome, any Error>?
    /// The data position before each started round's prompts were taken.
    private var positions: [Int: Int] = [:]
    /// The oldest version this learner can publish (the one it started or resumed with).
    private var firstVersion: Int
    /// This learner's incarnation: a 64-bit id drawn when it starts, carried by every task it leases, so
    /// results meant for an earlier learner process are dropped (never part of a sampling seed).
    package let incarnation = UInt64.random(in: 1...UInt64.max)

    /// A learner over `step` (its policy at `version`) that leases work through `runner`.
    package init(config: PPORunConfig, step: PPOLearnerStep, prompts: PromptStream, evalPrompts: [[Int]],
                tokenizer: any Tokenizer, sampling: SamplingSettings, runner: RoundRunner, version: Int = 0) {
        self.config = config
        self.step = step
        self.prompts = prompts
        self.evalPrompts = evalPrompts
        self.tokenizer = tokenizer
        self.sampling = sampling
        self.runner = runner
        self.version = version
        firstVersion = version
        taskRows = config.taskRows
        snapshots = Array(repeating: nil, count: config.maxStaleness + 1)
    }

    /// The data position of the next iteration to train (what a checkpoint saves): rounds started ahead
    /// have taken their prompts already.
    package var dataPosition: Int { positions[version] ?? prompts.position }

    /// Resumes at `version` with the prompts at `position` (a checkpoint's): no round is running, and
    /// rounds of the next `max_staleness` iterations are sampled with `version`, the oldest there is.
    package func resume(version: Int, position: Int) {
        self.version = version
        firstVersion = version
        prompts.position = position
        published = [:]
        positions = [:]
    }

    /// The current version's weights, copied into its snapshot slot once per version; with a LoRA
    /// adapter, the adapter alone (generators merge it into their base: `AdapterInstall`).
    private func publishCurrent() throws -> (PolicyWeights, seconds: Double) {
        if let weights = published[version] { return (weights, 0) }
        let start = DispatchTime.now().uptimeNanoseconds
        let policy = step.update.policy.adapter?.parameters ?? step.update.policy.parameters
        let slot = version % snapshots.count
        if let snapshot = snapshots[slot] {
            policy.backend.copy(from: policy.values.pointer, to: snapshot.values.pointer, count: policy.count)
        } else {
            snapshots[slot] = policy.copy()
        }
        published[version - snapshots.count] = nil
        let replaces = published.keys.max()
        let weights = PolicyWeightsLayout.publish(snapshots[slot]!, version: version, replaces: replaces)
        published[version] = weights
        return (weights, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    /// Splits `rows` into tasks of `taskRows` rows sampled with `version`, ids of `iteration`, seeded by
    /// `seedIteration`'s ids.
    private func tasks(_ rows: [[Int]], iteration: Int, seedIteration: Int, version: Int) -> [RolloutTask] {
        stride(from: 0, to: rows.count, by: taskRows).enumerated().map { index, start in
            RolloutTask(id: TaskID(iteration: iteration, index: index, incarnation: incarnation), policyVersion: version,
                        prompts: Array(rows[start..<min(start + taskRows, rows.count)]),
                        seed: TaskID(iteration: seedIteration, index: index).seed(runSeed: config.seed), sampling: sampling)
        }
    }

    /// Starts a round after the last one started; one round runs at a time.
    private func startRound(iteration: Int, tasks: [RolloutTask], weights: PolicyWeights) -> Task<RoundOutcome, any Error> {
        let previous = lastRound, runner = runner
        let round = Task { () async throws -> RoundOutcome in
            _ = await previous?.result
            return try await runner.run(iteration: iteration, tasks: tasks, weights: weights)
        }
        lastRound = round
        return round
    }

    /// Starts the training rounds up to `iteration + max_staleness` (within the run): round r samples
    /// with version max(r − k, the first version), which the learner holds or published before.
    private func startRoundsAhead(of iteration: Int) {
        let k = config.samplesPerPrompt, lag = config.maxStaleness
        let last = max(iteration, min(iteration + lag, config.iterations - 1))
        var r = (rounds.keys.max() ?? iteration - 1) + 1
        while r <= last {
            let behaviour = max(r - lag, firstVersion)
            guard let weights = published[behaviour] else { break }
            positions[r] = prompts.position
            let rows = prompts.next(config.ppo.batchSize / k).flatMap { Array(repeating: $0, count: k) }
            rounds[r] = startRound(iteration: r, tasks: tasks(rows, iteration: r, seedIteration: r, version: behaviour),
                                   weights: weights)
            r += 1
        }
    }

    /// Runs iteration `iteration` (the learner's version must be `iteration`); returns its metrics.
    /// With `max_staleness: k > 0`, the rounds of the next k iterations are sampled while this one learns.
    public func runIteration(_ iteration: Int) async throws -> [String: Double] {
        let evaluates = config.evalEvery > 0 && iteration % config.evalEvery == 0
        let started = DispatchTime.now().uptimeNanoseconds
        let (weights, download) = try publishCurrent()
        // held-out evaluation before this iteration learns: iteration 0 gives the starting policy's numbers
        let evaluation = evaluates ? startEvaluation(weights) : nil
        if !evaluates { lastSamples = [] }
        startRoundsAhead(of: iteration)
        guard let pending = rounds.removeValue(forKey: iteration) else {
            throw RoundError.aborted("round \(iteration) was never started (version \(version), first \(firstVersion))")
        }
        let round = try await pending.value
        positions[iteration] = nil
        let behaviourVersion = round.entries.first?.task.policyVersion ?? version
        guard version - behaviourVersion <= config.maxStaleness else {
            throw RoundError.aborted("round \(iteration) was sampled with v\(behaviourVersion), more than max_staleness behind v\(version)")
        }
        let learnStart = DispatchTime.now().uptimeNanoseconds
        var metrics = try step.learn(from: round.entries, behaviourRatio: behaviourVersion != version)
        version += 1
        let learnSeconds = Double(DispatchTime.now().uptimeNanoseconds - learnStart) / 1e9
        var evaluationMetrics: [String: Double] = [:]
        if let evaluation { evaluationMetrics = try summarize(try await evaluation.value) }
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
        metrics["cluster/leases_issued"] = Double(round.leasesIssued)
        metrics["cluster/leases_reissued"] = Double(round.requeued)
        for (reason, count) in round.dropped { metrics["cluster/dropped/\(reason)"] = Double(count) }
        metrics["cluster/waited_s"] = round.waitedSeconds
        metrics["cluster/quarantined"] = Double(round.quarantinedNow)
        // how many versions the trained rollouts lag the policy that learned from them
        metrics["cluster/version_lag_max"] = Double(round.entries.map { version - 1 - ($0.rollout?.policyVersion ?? version - 1) }.max() ?? 0)
        if let lag = round.versionLag {
            for bucket in ["0", "1", "2+", "none"] { metrics["cluster/version_lag/\(bucket)"] = Double(lag[bucket] ?? 0) }
        }
        metrics.merge(await runner.transportCounters()) { $1 }
        metrics.merge(evaluationMetrics) { $1 }
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
        try summarize(try await startEvaluation(publishCurrent().0).value)
    }

    /// Starts the held-out round of the current version (ids of their own: negative iterations, seeded
    /// alike every time).
    private func startEvaluation(_ weights: PolicyWeights) -> Task<RoundOutcome, any Error> {
        startRound(iteration: -1 - version, tasks: tasks(evalPrompts, iteration: -1 - version, seedIteration: -1, version: version),
                   weights: weights)
    }

    /// The `eval/...` numbers of a held-out round; keeps its first samples.
    private func summarize(_ round: RoundOutcome) throws -> [String: Double] {
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
