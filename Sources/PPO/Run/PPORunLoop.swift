import Foundation
import Logging
import ModelIO
import RunLogs
import Training

/// The iterations of a PPO run around a `PPOLearner`, whatever its workers are (actors in this process
/// or processes elsewhere), in a run folder: resume from the newest checkpoint, each iteration's metrics to
/// `metrics.jsonl` and TensorBoard, held-out samples to `samples.jsonl`, checkpoints every `save_every` (or
/// when asked), and the final evaluation.
public struct PPORunLoop {
    /// The run's settings.
    public let config: PPORunConfig
    /// The run folder.
    public let folder: URL
    /// The checkpoint to resume from (nil: a new run).
    public let checkpoint: (iteration: Int, url: URL)?

    /// A run in `folder`, new or (`resume`) continued from its newest checkpoint, which is checked here,
    /// before anything is loaded: its state and moments, and the logs it will rewind.
    public init(config: PPORunConfig, folder: URL, resume: Bool) throws {
        self.config = config
        self.folder = folder
        checkpoint = resume ? PPOCheckpoint.all(in: folder).last : nil
        if resume && checkpoint == nil { throw PPOCheckpointError.noCheckpoint(folder: folder.path) }
        if let checkpoint {
            _ = try PPOCheckpoint.verify(checkpoint.url, config: config)
            for name in ["metrics.jsonl", "samples.jsonl"] { try JSONLRewind.check(folder.appendingPathComponent(name)) }
        }
    }

    /// Runs the learner's iterations to the end of the config. After each iteration `requests` says whether
    /// an operator asked for a checkpoint or a stop; `progress` hears of each iteration done. A round that
    /// lost a role (no usable worker for the role timeout) writes a checkpoint of the iterations done and
    /// throws `ClusterRunError`.
    public func run(_ learner: PPOLearner, tokenizerFiles: HuggingFaceTokenizerFiles?,
                    requests: () -> PPORunRequests = { PPORunRequests() },
                    progress: (ProgressReport) -> Void = { _ in }) async throws {
        var first = 0
        if let checkpoint {
            first = try PPOCheckpoint.restore(learner, from: checkpoint.url)
            for name in ["metrics.jsonl", "samples.jsonl"] {
                try PPORunFolder.rewind(folder.appendingPathComponent(name), toIterationsBelow: first)
            }
        }
        let metrics = try MetricsJSONLWriter(url: folder.appendingPathComponent("metrics.jsonl"))
        let events = try TensorBoardEventWriter(directory: folder)
        if first > 0 { try events.writeRestart(step: first) }
        let samples = try SampleLog(url: folder.appendingPathComponent("samples.jsonl"))
        if first > 0 {
            progress(ProgressReport(done: min(first, config.iterations), total: config.iterations,
                                    note: "resumed from \(checkpoint?.url.lastPathComponent ?? "")"))
        }
        let logger = Logger(label: "rlhf.run")
        for iteration in first..<max(first, config.iterations) {
            var values: [String: Double]
            do {
                values = try await learner.runIteration(iteration)
            } catch let error as RoundError {
                guard case let .roleLost(role, why) = error.code else { throw error }
                // the round trained nothing: the learner holds iteration `iteration`'s starting state
                let saved = try PPOCheckpoint.save(learner, iteration: iteration, tokenizerFiles: tokenizerFiles, to: folder)
                throw ClusterRunError(.roleLost(role: role.rawValue, why: why, checkpoint: saved.lastPathComponent))
            }
            if config.adaptiveKL { values["objective/kl_target"] = config.klTarget }
            try samples.write(learner.lastSamples, iteration: iteration)
            try metrics.write(values)
            try events.write(step: iteration, scalars: values)
            let asked = requests()
            // with save_every set, the last iteration is always saved: the run's final policy
            let scheduled = config.saveEvery > 0 && ((iteration + 1) % config.saveEvery == 0 || iteration + 1 == config.iterations)
            if asked.checkpoint || scheduled {
                try PPOCheckpoint.save(learner, iteration: iteration + 1, tokenizerFiles: tokenizerFiles, to: folder)
            }
            progress(ProgressReport(done: iteration + 1, total: config.iterations,
                                    note: String(format: "reward %.3f  kl %.3f  β %.3f", values["env/reward_mean"] ?? .nan,
                                                 values["objective/kl"] ?? .nan, values["objective/kl_coef"] ?? .nan),
                                    values: values))
            if asked.stop && iteration + 1 < config.iterations {
                logger.notice("stopped after iteration \(iteration + 1) of \(config.iterations); the checkpoint is iteration-\(String(format: "%06d", iteration + 1))")
                return
            }
        }
        if config.evalEvery > 0 {
            var final = try await learner.evaluate()
            try samples.write(learner.lastSamples, iteration: config.iterations)
            final["iteration"] = Double(config.iterations)
            try metrics.write(final)
            try events.write(step: config.iterations, scalars: final)
        }
    }
}

/// What an operator asked of a running learner, read after each iteration.
public struct PPORunRequests: Sendable {
    /// A checkpoint after this iteration.
    public var checkpoint = false
    /// A checkpoint, then a clean stop.
    public var stop = false

    /// What an operator asks for after an iteration: a checkpoint now, a stop, or neither.
    public init(checkpoint: Bool = false, stop: Bool = false) {
        self.checkpoint = checkpoint
        self.stop = stop
    }
}
