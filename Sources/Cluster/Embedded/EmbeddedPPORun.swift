import Data
import Foundation
import Generation
import Models
import ModelIO
import Tensor
import Training
import Wire

/// A PPO run in one process from a `PPORunConfig`: the policy (with a value head) and a frozen
/// reference loaded from the config's model paths, the reward (VADER), and IMDb prompts. Each iteration
/// leases its prompts as tasks of `taskRows` rows; every task is sampled (`RolloutSampling`), scored
/// and given reference log-probs (`ReferenceScoring`), recorded in the iteration's `IterationLedger`,
/// and the complete batch is learnt from in task order (`PPOLearnerStep`). Each iteration returns its
/// metrics; the command writes them (`Monitor`).
///
/// This first version calls the roles in turn on the caller's thread; the role actors, checkpoints and
/// resume come next (issue 8).
public final class EmbeddedPPORun {
    /// The run's settings.
    public let config: PPORunConfig
    /// The learner's step (policy, value head, optimizer, KL controller).
    public let step: PPOLearnerStep
    private let generator: Generator
    private let reference: CausalLM
    private let tokenizer: any Tokenizer
    private let reward: VaderSentiment
    private var prompts: PromptStream
    private let evalPrompts: [[Int]]
    private let padID: Int
    private let stopTokens: [Int]
    /// Rows per rollout task.
    public let taskRows = 4

    /// Loads everything the config names.
    public init(config: PPORunConfig) throws {
        self.config = config
        let bundle = try ModelBundle.load(path: config.policyModel, tokenizerPath: config.policyTokenizer, requireTokenizer: true)
        guard let tokenizer = bundle.tokenizer else { throw ModelBundleError.noTokenizer(model: config.policyModel) }
        self.tokenizer = tokenizer
        let policy = CausalLM(config: bundle.config, parameters: bundle.parameters)
        if let path = config.referenceModel {
            let referenceBundle = try ModelBundle.load(path: path, tokenizerPath: config.policyTokenizer, loadsTokenizer: false)
            reference = CausalLM(config: referenceBundle.config, parameters: referenceBundle.parameters)
        } else {
            // the policy's starting weights, copied rather than read and decoded a second time
            reference = CausalLM(config: bundle.config, parameters: bundle.parameters.copy())
        }
        reference.freeze()
        guard case let .vader(lexicon) = config.reward else {
            throw RunConfigError.outOfRange(file: "run config", key: "reward", value: "a reward model",
                                            requirement: "reward.function: vader in this version of rlhf ppo")
        }
        reward = try VaderSentiment(lexiconDirectory: URL(fileURLWithPath: lexicon))
        padID = bundle.config.eosTokenIDs.first ?? 0
        stopTokens = bundle.config.eosTokenIDs
        generator = Generator(model: policy, padID: padID)
        let train = try IMDbReviews.load(path: config.data.train).map(\.text)
        prompts = try PromptStream(texts: train, tokenizer: tokenizer, tokens: config.data.promptTokens, seed: config.seed)
        let test = try IMDbReviews.load(path: config.data.eval).map(\.text)
        var held = try PromptStream(texts: test, tokenizer: tokenizer, tokens: config.data.promptTokens, seed: config.seed &+ 1)
        evalPrompts = held.next(config.data.evalPrompts)
        var settings = config.ppo
        settings.temperature = config.generation.temperature
        step = try PPOLearnerStep(
            update: PPOUpdate(policy: policy, settings: settings, seed: config.seed),
            klController: KLController(initial: config.initKLCoefficient,
                                       mode: config.adaptiveKL ? .adaptive(target: config.klTarget, horizon: config.klHorizon) : .fixed),
            advantage: config.advantage, samplesPerPrompt: config.samplesPerPrompt, noEOSPenalty: config.noEOSPenalty,
            padID: padID)
    }

    private var sampling: SamplingSettings {
        let g = config.generation
        return SamplingSettings(temperature: g.temperature, topK: g.topK, topP: g.topP, minP: g.minP,
                                maxNewTokens: g.maxNewTokens, stopTokens: stopTokens)
    }

    /// VADER's compound score of each response's text.
    private func scores(_ responses: [[Int]]) -> [Float] {
        responses.map { Float(reward.scores(tokenizer.decode($0, skipSpecialTokens: true)).compound) }
    }

    /// Runs iteration `iteration`; returns its metrics.
    @discardableResult
    public func runIteration(_ iteration: Int) throws -> [String: Double] {
        let k = config.samplesPerPrompt
        let rows = prompts.next(config.ppo.batchSize / k).flatMap { Array(repeating: $0, count: k) }
        let tasks = stride(from: 0, to: rows.count, by: taskRows).enumerated().map { index, start -> RolloutTask in
            let id = TaskID(iteration: iteration, index: index)
            return RolloutTask(id: id, policyVersion: iteration, prompts: Array(rows[start..<min(start + taskRows, rows.count)]),
                               seed: id.seed(runSeed: config.seed), sampling: sampling)
        }
        var ledger = IterationLedger(iteration: iteration, tasks: tasks)
        var timing: [String: Double] = [:]
        func timed<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
            let start = DispatchTime.now().uptimeNanoseconds
            defer { timing[name, default: 0] += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
            return try body()
        }
        // held-out evaluation before this iteration learns: iteration 0 gives the starting policy's numbers
        let evaluates = config.evalEvery > 0 && iteration % config.evalEvery == 0
        let evaluation = evaluates ? try evaluate() : [:]
        if !evaluates { lastSamples = [] }
        let started = DispatchTime.now().uptimeNanoseconds
        var generated = 0
        for task in tasks {
            let rollout = try timed("time/generate") { try RolloutSampling.run(task, generator: generator, version: iteration) }
            generated += rollout.responses.reduce(0) { $0 + $1.count }
            _ = ledger.record(rollout)
            _ = ledger.record(timed("time/score") { Wire.ScoreResult(id: task.id, scores: scores(rollout.responses)) })
            let request = SequenceRequest(id: task.id, queries: task.prompts, responses: rollout.responses,
                                          temperature: config.generation.temperature)
            _ = ledger.record(try timed("time/reference") { try ReferenceScoring.run(request, reference: reference, padID: padID) })
        }
        guard let batch = ledger.batch else {
            throw MessageError.shape(task: TaskID(iteration: iteration, index: 0), what: "the iteration's ledger did not complete")
        }
        var metrics = try timed("time/learn") { try step.learn(from: batch) }
        metrics.merge(timing) { $1 }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        metrics["iteration"] = Double(iteration)
        metrics["time/iteration"] = seconds
        metrics["tokens_per_s"] = Double(generated) / max(timing["time/generate"] ?? seconds, 1e-9)
        metrics["cluster/samples_trained"] = Double(rows.count)
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

    /// The first `count` held-out samples of the last `evaluate()`.
    public private(set) var lastSamples: [Sample] = []

    /// Mean and standard deviation of the reward on the held-out prompts, sampled with a fixed seed, and
    /// the mean sequence KL to the reference on them (`eval/...`). With `eval_every` set, iteration i
    /// evaluates before it learns whenever i is a multiple of it; the command evaluates once more at the end.
    public func evaluate() throws -> [String: Double] {
        let id = TaskID(iteration: -1, index: 0)
        let task = RolloutTask(id: id, policyVersion: 0, prompts: evalPrompts, seed: id.seed(runSeed: config.seed), sampling: sampling)
        let rollout = try RolloutSampling.run(task, generator: generator, version: 0)
        let rewards = scores(rollout.responses).map(Double.init)
        lastSamples = (0..<min(4, evalPrompts.count)).map { i in
            Sample(prompt: tokenizer.decode(evalPrompts[i], skipSpecialTokens: true),
                   response: tokenizer.decode(rollout.responses[i], skipSpecialTokens: true), reward: rewards[i])
        }
        let request = SequenceRequest(id: id, queries: evalPrompts, responses: rollout.responses, temperature: config.generation.temperature)
        let referenceLogProbs = try ReferenceScoring.run(request, reference: reference, padID: padID).logProbs
        let kl = zip(rollout.logProbs, referenceLogProbs).map { zip($0, $1).reduce(0.0) { $0 + Double($1.0 - $1.1) } }
        let mean = rewards.reduce(0, +) / Double(rewards.count)
        let variance = rewards.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(rewards.count - 1, 1))
        return ["eval/reward_mean": mean, "eval/reward_std": variance.squareRoot(),
                "eval/kl": kl.reduce(0, +) / Double(kl.count)]
    }
}
