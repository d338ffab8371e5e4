import Cluster
import Foundation
import Logging
import Monitor
import ModelIO

/// The iterations of a PPO run around a `PPOLearner`, whatever its workers are (actors in this process
/// or processes elsewhere): resume from the newest checkpoint, each iteration's metrics to
/// `metrics.jsonl`, TensorBoard and the progress line, held-out samples, checkpoints every
/// `save_every`, and the final evaluation.
struct PPORunLoop {
    let config: PPORunConfig
    let folder: URL
    /// The checkpoint to resume from (nil: a new run).
    let checkpoint: (iteration: Int, url: URL)?
    /// The folder as the run took it (a failed new run takes back what it wrote).
    let claim: RunFolderClaim

    /// Checks the output folder before anything is loaded: `resume` needs a checkpoint there, a new run
    /// needs a folder the output rule gives it, without a run in it.
    init(config: PPORunConfig, output: OutputFolder, resume: Bool) throws {
        self.config = config
        folder = URL(fileURLWithPath: output.resolvedPath)
        checkpoint = resume ? PPOCheckpoint.all(in: folder).last : nil
        if resume && checkpoint == nil { throw PPOCheckpointError.noCheckpoint(folder: output.path) }
        if let checkpoint {
            _ = try PPOCheckpoint.verify(checkpoint.url, config: config)
            for name in ["metrics.jsonl", "samples.jsonl"] { try JSONLRewind.check(folder.appendingPathComponent(name)) }
        }
        claim = try RunFolder.prepare(output, resume: resume)
    }

    /// Runs the learner's iterations to the end of the config.
    func run(_ learner: PPOLearner, tokenizerFiles: HuggingFaceTokenizerFiles?, label: String) async throws {
        var first = 0
        if let checkpoint {
            first = try PPOCheckpoint.restore(learner, from: checkpoint.url)
            for name in ["metrics.jsonl", "samples.jsonl"] {
                try RunFolder.rewind(folder.appendingPathComponent(name), toIterationsBelow: first)
            }
        }
        let metrics = try MetricsJSONLWriter(url: folder.appendingPathComponent("metrics.jsonl"))
        let events = try TensorBoardEventWriter(directory: folder)
        if first > 0 { try events.writeRestart(step: first) }
        let samples = try SampleLog(url: folder.appendingPathComponent("samples.jsonl"))
        let progress = ProgressLine(label: label, total: config.iterations)
        if first > 0 { progress.update(min(first, config.iterations), note: "resumed from \(checkpoint?.url.lastPathComponent ?? "")") }
        let logger = Logger(label: "rlhf.run")
        let requests = LearnerRequests { line in logger.notice("\(line)") }
        for iteration in first..<max(first, config.iterations) {
            let values = try await learner.runIteration(iteration)
            try samples.write(learner.lastSamples, iteration: iteration)
            try metrics.write(values)
            try events.write(step: iteration, scalars: values)
            let asked = requests.take()
            if asked.checkpoint || (config.saveEvery > 0 && (iteration + 1) % config.saveEvery == 0) {
                try PPOCheckpoint.save(learner, iteration: iteration + 1, tokenizerFiles: tokenizerFiles, to: folder)
            }
            progress.update(iteration + 1, note: String(format: "reward %.3f  kl %.3f  β %.3f",
                                                        values["env/reward_mean"] ?? .nan, values["objective/kl"] ?? .nan,
                                                        values["objective/kl_coef"] ?? .nan))
            if asked.stop && iteration + 1 < config.iterations {
                progress.finish()
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
        progress.finish()
    }
}
