import Dispatch
import Generation
import Models
import Tensor
import Training

/// A timed step workload on a random-weight model: a training step (optionally with a frozen reference
/// scoring the batch, as a PPO step does), forward scoring, generation, or one DPO step. Each is run
/// `warmup` times untimed and `runs` times timed; the result states the median, the tokens per second,
/// the FLOP rate and its share of the machine's sgemm rate measured right after.
package struct StepBenchmark {
    /// What a step does.
    package enum Workload: String, Sendable {
        case train, forward, generate
        /// One DPO step on `batch` pairs of `seq`/2 prompt + `seq`/2 completion tokens: reference
        /// log-probs, policy forward and backward on both responses, AdamW (as ../shared/peer/bench.py --case dpo_trl).
        case dpo
    }

    /// The shape and sizes of the workload.
    package struct Settings: Sendable {
        package var model: BenchModel
        package var batch = 8, seq = 128, promptLen = 16, newTokens = 48
        package var weightPacking = WeightPacking.automatic
        package var frozenReference = false
        package var warmup = 1, runs = 5
        package var threads: Int

        package init(model: BenchModel, threads: Int) {
            self.model = model
            self.threads = threads
        }
    }

    package let workload: Workload
    package let settings: Settings

    package init(_ workload: Workload, _ settings: Settings) {
        self.workload = workload
        self.settings = settings
    }

    /// Times the workload; `progress` hears of each run.
    package func run(progress: (ProgressReport) -> Void = { _ in }) throws -> BenchResult {
        let s = settings, config = s.model.config
        let lm = CausalLM(config: config)
        lm.parameters.initializeRandom(seed: 0)
        var rng = SplitMix64(seed: 1)
        func random(_ n: Int) -> [Int] { (0..<n).map { _ in Int(rng.next() % UInt64(config.vocabSize - 1)) } }
        let ids = (0..<s.batch).map { _ in random(workload == .generate ? s.promptLen : s.seq) }
        let tokens = try TokenBatch(ids: ids)
        let step: () throws -> Void
        let flopsPerRun: Double
        var tokensPerRun = s.batch * s.seq
        switch workload {
        case .train:
            lm.enableTraining()
            let optimizer = try AdamW(store: lm.parameters, config: AdamWConfig(schedule: .constant(1e-4)))
            let reference = s.frozenReference ? CausalLM(config: config) : nil
            reference?.parameters.initializeRandom(seed: 2)
            reference?.freeze()
            let targets = CausalLM.nextTokenTargets(tokens)
            step = {
                _ = try reference?.scoreTokens(tokens, targets: targets)
                try lm.forward(tokens, training: true)
                _ = try lm.nextTokenLoss()
                try lm.backward()
                optimizer.step()
                lm.parameters.zeroGradients()
            }
            flopsPerRun = config.trainingFlopsPerToken(sequenceLength: s.seq) * Double(s.batch * s.seq)
        case .dpo:
            let reference = CausalLM(config: config, parameters: lm.parameters.copy())
            let update = try DPOUpdate(policy: lm, reference: reference, optimizer: AdamWConfig(schedule: .constant(1e-6)), beta: 0.1)
            let half = s.seq / 2
            let prompts = (0..<s.batch).map { _ in random(half) }
            let pairs = try DPOUpdate.batch(prompts: prompts, chosen: prompts.map { _ in random(s.seq - half) },
                                            rejected: prompts.map { _ in random(s.seq - half) }, padID: config.vocabSize - 1)
            step = { _ = try update.step(pairs, referenceLogProbs: try update.referenceLogProbs(pairs)) }
            tokensPerRun = 2 * s.batch * s.seq
            flopsPerRun = (config.trainingFlopsPerToken(sequenceLength: s.seq) + config.forwardFlopsPerToken(sequenceLength: s.seq))
                * Double(2 * s.batch * s.seq)
        case .forward:
            step = { _ = try lm.nextTokenLogProbs(tokens) }
            flopsPerRun = config.forwardFlopsPerToken(sequenceLength: s.seq) * Double(s.batch * s.seq)
        case .generate:
            let generator = Generator(model: lm, weightPacking: s.weightPacking)
            let parameters = SamplingParameters(temperature: 1, topK: 0, topP: 1, maxNewTokens: s.newTokens, seed: 3)
            step = { _ = try generator.generate(prompts: ids, parameters: parameters) }
            tokensPerRun = s.batch * s.newTokens
            flopsPerRun = Double(s.batch) * (Double(s.promptLen) * config.forwardFlopsPerToken(sequenceLength: s.promptLen)
                + Double(s.newTokens) * config.forwardFlopsPerToken(sequenceLength: s.promptLen + s.newTokens / 2))
        }
        let times = try BenchTiming.runs(warmup: s.warmup, runs: s.runs, progress: progress, step)
        let median = times.sorted()[times.count / 2]
        let gflops = flopsPerRun / median / 1e9
        let sgemm = SgemmProbe.measureGflops()
        // decoding reads every weight once per step: compare the step time with the memory-bandwidth bound
        var decode: DecodeBound?
        if workload == .generate {
            let bandwidth = MemoryBandwidthProbe.measureGBps()
            let weightBytes = Double(lm.parameters.parameterCount * MemoryLayout<Float>.size)
            let perStep = median / Double(s.newTokens)
            decode = DecodeBound(weight_bytes: weightBytes, read_gbps: bandwidth, step_s: perStep,
                                 bound_step_s: weightBytes / (bandwidth * 1e9), fraction_of_bound: weightBytes / (bandwidth * 1e9) / perStep)
        }
        return BenchResult(
            workload: workload.rawValue, model: s.model.rawValue, threads: s.threads, batch: s.batch, seq: s.seq,
            prompt_len: workload == .generate ? s.promptLen : nil, new_tokens: workload == .generate ? s.newTokens : nil,
            tokens_per_s: Double(tokensPerRun) / median, median_s: median, min_s: times.min() ?? median, times_s: times,
            gflops: gflops, sgemm_gflops: sgemm, sgemm_fraction: gflops / sgemm, peak_rss_mb: ProcessStats.peakRSSMegabytes,
            params: lm.parameters.parameterCount, frozen_reference: s.frozenReference ? true : nil, decode: decode,
            packed_weights: workload == .generate ? s.weightPacking.packs(batch: s.batch) : nil,
            isa: InstructionSet.active.description)
    }

    /// One decoding step's products with `rows` rows, stored against packed weights (`runs` timed steps each).
    package static func products(model: BenchModel, rows: Int, runs: Int, threads: Int) -> DecodeProductsResult {
        let lm = CausalLM(config: model.config)
        lm.parameters.initializeRandom(seed: 0)
        let (stored, packed, flops) = DecodeProductsBench.measure(model: lm, rows: rows, runs: runs)
        return DecodeProductsResult(workload: "products", model: model.rawValue, threads: threads, rows: rows, stored_s: stored,
                                    packed_s: packed, stored_gflops: flops / stored / 1e9, packed_gflops: flops / packed / 1e9,
                                    speedup: stored / packed)
    }
}

/// Wall-clock runs of a step.
package enum BenchTiming {
    /// Runs `step` `warmup` times untimed, then `runs` times timed; returns the timed seconds.
    package static func runs(warmup: Int, runs: Int, progress: (ProgressReport) -> Void, _ step: () throws -> Void) rethrows -> [Double] {
        var times: [Double] = []
        for i in 0..<(warmup + runs) {
            let start = DispatchTime.now().uptimeNanoseconds
            try step()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if i >= warmup { times.append(seconds) }
            progress(ProgressReport(done: i + 1, total: warmup + runs, note: String(format: "%.3f s", seconds)))
        }
        return times
    }
}
