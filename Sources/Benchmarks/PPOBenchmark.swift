import ClusterCore
import Dispatch
import Generation
import Models
import PPO
import Tensor
import Training
import Wire

/// One PPO iteration as `../shared/peer/bench_ppo.py` times TRL 0.11's: `batch` random prompts of
/// `promptLen` tokens, exactly `newTokens` sampled tokens each (top-k 0, top-p 1), scored by a random
/// reward model of the same shape on query + response, reference log-probs from a frozen copy of the
/// policy, then `ppoEpochs` passes of `miniBatch` minibatches over a policy with a value head.
package struct PPOBenchmark {
    package var model: BenchModel
    package var batch = 16, miniBatch = 4, ppoEpochs = 4, promptLen = 16, newTokens = 32
    package var warmup = 1, runs = 5, threads: Int

    package init(model: BenchModel, threads: Int) {
        self.model = model
        self.threads = threads
    }

    /// Times the iterations; `progress` hears of each.
    package func run(progress: (ProgressReport) -> Void = { _ in }) throws -> PPOBenchResult {
        let config = model.config
        let policy = CausalLM(config: config)
        policy.parameters.initializeRandom(seed: 0)
        let reference = CausalLM(config: config, parameters: policy.parameters.copy())
        reference.freeze()
        let padID = config.vocabSize - 1
        let rewardModel = SequenceClassifier(config: config, padTokenID: padID)
        rewardModel.parameters.initializeRandom(seed: 5)
        rewardModel.head.parameters.initializeRandom(seed: 6)
        rewardModel.freeze()
        var settings = PPOHyperparameters()
        settings.batchSize = batch
        settings.miniBatchSize = miniBatch
        settings.ppoEpochs = ppoEpochs
        let step = try PPOLearnerStep(update: PPOUpdate(policy: policy, settings: settings, seed: 0),
                                      klController: KLController(initial: 0.2, mode: .adaptive(target: 6, horizon: 10_000)),
                                      padID: padID)
        let generator = Generator(model: policy, padID: padID)
        let sampling = SamplingSettings(temperature: 1, topK: 0, topP: 1, minP: 0, maxNewTokens: newTokens, stopTokens: [])
        var rng = SplitMix64(seed: 1)
        var phases: [String: [Double]] = [:], totals: [Double] = []
        func timed<T>(_ phase: String, _ body: () throws -> T) rethrows -> T {
            let start = DispatchTime.now().uptimeNanoseconds
            defer { phases[phase, default: []].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
            return try body()
        }
        for i in 0..<(warmup + runs) {
            let start = DispatchTime.now().uptimeNanoseconds
            let prompts = (0..<batch).map { _ in (0..<promptLen).map { _ in Int(rng.next() % UInt64(padID)) } }
            let id = TaskID(iteration: i, index: 0)
            let task = RolloutTask(id: id, policyVersion: i, prompts: prompts, seed: id.seed(runSeed: 0), sampling: sampling)
            var ledger = IterationLedger(iteration: i, tasks: [task])
            let rollout = try timed("generate") { try RolloutSampling.run(task, generator: generator, version: i) }
            _ = ledger.record(rollout)
            let scores = try timed("score") {
                try rewardModel.rewards(TokenBatch(ids: zip(prompts, rollout.responses).map { $0 + $1 }))
            }
            _ = ledger.record(Wire.ScoreResult(id: id, scores: scores))
            let request = SequenceRequest(id: id, queries: prompts, responses: rollout.responses, temperature: 1)
            _ = ledger.record(try timed("reference") { try ReferenceScoring.run(request, reference: reference, padID: padID) })
            guard let entries = ledger.batch else { throw PPOBenchmarkError.incomplete }
            _ = try timed("learn") { try step.learn(from: entries) }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            totals.append(seconds)
            progress(ProgressReport(done: i + 1, total: warmup + runs, note: String(format: "%.3f s", seconds)))
        }
        func median(_ xs: [Double]) -> Double { let t = Array(xs.suffix(runs)).sorted(); return t[t.count / 2] }
        return PPOBenchResult(
            workload: "ppo", model: model.rawValue, threads: threads, batch: batch, mini_batch: miniBatch,
            ppo_epochs: ppoEpochs, prompt_len: promptLen, new_tokens: newTokens,
            optimizer_steps: ppoEpochs * ((batch + miniBatch - 1) / miniBatch), median_s: median(totals),
            min_s: totals.suffix(runs).min() ?? 0, times_s: Array(totals.suffix(runs)),
            generate_s: median(phases["generate"] ?? []), score_s: median(phases["score"] ?? []),
            reference_s: median(phases["reference"] ?? []), learn_s: median(phases["learn"] ?? []),
            peak_rss_mb: ProcessStats.peakRSSMegabytes, isa: InstructionSet.active.description)
    }
}

/// A PPO bench iteration whose ledger did not complete (a bug: every result is recorded in turn).
package enum PPOBenchmarkError: Error, CustomStringConvertible {
    case incomplete
    package var description: String { "the PPO bench iteration's ledger did not complete" }
}
