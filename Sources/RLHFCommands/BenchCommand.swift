import ArgumentParser
import Foundation
import Models
import Tensor
import Training
import Generation

/// `rlhf bench`: times training steps, forward scoring, generation or one decoding step's products on a
/// random-weight model, or the cluster's ZeroMQ transport.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark a workload on a model built from its config with random weights.",
        discussion: "Prints the median of several timed runs after warm-up; --json prints one JSON line.")

    /// What to time.
    enum Workload: String, ExpressibleByArgument, CaseIterable {
        case train, forward, generate
        /// one PPO iteration: generate, score, reference log-probs, PPO epochs (as ../shared/peer/bench_ppo.py)
        case ppo
        /// one DPO step on `--batch` pairs of `--seq`/2 prompt + `--seq`/2 completion tokens: reference
        /// log-probs, policy forward and backward on both responses, AdamW (as ../shared/peer/bench.py --case dpo_trl)
        case dpo
        /// the products of one decoding step with `--batch` rows, from stored and from packed weights
        case products
        /// the ZeroMQ transport on loopback: weights to `--generators` generators, the codec, leases per second
        case transport
    }

    @Argument(help: "Workload: \(Workload.allCases.map(\.rawValue).joined(separator: ", ")).")
    var workload: Workload

    @Option(help: "Model shape: \(BenchModel.allCases.map(\.rawValue).joined(separator: ", ")).")
    var model: BenchModel = .gpt2Small

    @Option(help: "Sequences per batch (products: rows per product).")
    var batch: Int = 8

    @Option(help: "Tokens per sequence (train, forward).")
    var seq: Int = 128

    @Option(help: "Prompt tokens per sequence (generate).")
    var promptLen: Int = 16

    @Option(help: "New tokens sampled per sequence (generate; exactly this many, top-k 0, top-p 1).")
    var newTokens: Int = 48

    @Option(help: """
        Generate: when to multiply by a packed snapshot of the weights, re-packed in every run: \
        auto (batches above 16), always, never.
        """)
    var weightPacking: WeightPackingChoice = .auto

    @Option(help: "Untimed warm-up runs.")
    var warmup: Int = 1

    @Option(help: "Timed runs (the median is reported).")
    var runs: Int = 5

    @Option(help: "PPO: sequences per minibatch.")
    var miniBatch: Int = 4

    @Option(help: "PPO: passes over the batch.")
    var ppoEpochs: Int = 4

    @Flag(help: "Train: also score each batch with a frozen reference model of the same shape, as a PPO step does (it costs its weights and no gradient or optimizer memory).")
    var frozenReference = false

    @Option(help: "Transport: generators the weights go to.")
    var generators = 4

    @Option(help: "Transport: floats of the weights sent (default: --model's parameters, in its layout).")
    var floats: Int?

    @Option(help: "Transport: stand-in workers the leases go to (half rollout, a quarter reward, the rest reference).")
    var workers = 64

    @Option(help: "Transport: tasks per lease round, 3 leases each (default: grown until a round lasts 2 s).")
    var tasks: Int?

    @Option(name: .customLong("security"),
            help: "Transport: measure plain tcp, CurveZMQ or both.")
    var securities: BenchSecurityChoice = .both

    @Flag(help: "Transport: log the transports' info lines to standard error.")
    var verbose = false

    @Flag(help: "Print one JSON line (transport: one per measurement).")
    var json = false

    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        guard batch >= 1, seq >= 2, runs >= 1, warmup >= 0 else {
            throw ValidationError("--batch >= 1, --seq >= 2, --runs >= 1 and --warmup >= 0 are required")
        }
        guard runs <= 10_000, warmup <= 10_000 else { throw ValidationError("--runs and --warmup must be at most 10000") }
        if frozenReference && workload != .train { throw ValidationError("--frozen-reference goes with the train workload") }
        guard promptLen >= 1, newTokens >= 1 else { throw ValidationError("--prompt-len and --new-tokens must be >= 1") }
        let positions = model.config.maxPositions
        guard seq <= positions else {
            throw ValidationError("--seq \(seq) exceeds \(model.rawValue)'s \(positions) positions")
        }
        guard promptLen <= positions, newTokens <= positions - promptLen else {
            throw ValidationError("--prompt-len \(promptLen) plus --new-tokens \(newTokens) exceed \(model.rawValue)'s \(positions) positions")
        }
        if workload == .ppo {
            guard miniBatch >= 1, miniBatch <= batch, ppoEpochs >= 1, ppoEpochs <= 1000 else {
                throw ValidationError("--mini-batch must be between 1 and --batch, --ppo-epochs between 1 and 1000")
            }
        }
        if workload == .transport { try validateTransport() }
        let length = workload == .generate || workload == .ppo ? promptLen + newTokens : workload == .products ? 1 : seq
        do {
            let rows = workload == .dpo ? 2 * batch : batch  // a DPO batch holds both responses of each pair
            try ModelWorkLimits.require(ModelWorkLimits.forwardFloats(model.config, batch: rows, length: length),
                                        for: "--batch \(batch) of \(length) tokens")
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() async throws {
        compute.apply()
        if workload == .transport { return try await runTransport() }
        let config = model.config
        let lm = CausalLM(config: config)
        lm.parameters.initializeRandom(seed: 0)
        if workload == .products { return try runProducts(lm) }
        if workload == .ppo { return try runPPO(lm) }
        var rng = SplitMix64(seed: 1)
        let rowLength = workload == .generate ? promptLen : seq
        let ids = (0..<batch).map { _ in (0..<rowLength).map { _ in Int(rng.next() % UInt64(config.vocabSize - 1)) } }
        let tokens = try TokenBatch(ids: ids)
        let progress = ProgressLine(label: "bench \(workload.rawValue) \(model.rawValue)", total: warmup + runs)

        let step: () throws -> Void
        let flopsPerRun: Double
        var tokensPerRun = batch * seq
        switch workload {
        case .train:
            lm.enableTraining()
            let optimizer = try AdamW(store: lm.parameters, config: AdamWConfig(schedule: .constant(1e-4)))
            let reference = frozenReference ? CausalLM(config: config) : nil
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
            flopsPerRun = config.trainingFlopsPerToken(sequenceLength: seq) * Double(batch * seq)
        case .dpo:
            let reference = CausalLM(config: config, parameters: lm.parameters.copy())
            let update = try DPOUpdate(policy: lm, reference: reference, optimizer: AdamWConfig(schedule: .constant(1e-6)), beta: 0.1)
            let half = seq / 2
            func random(_ n: Int) -> [Int] { (0..<n).map { _ in Int(rng.next() % UInt64(config.vocabSize - 1)) } }
            let prompts = (0..<batch).map { _ in random(half) }
            let pairs = try DPOUpdate.batch(prompts: prompts, chosen: prompts.map { _ in random(seq - half) },
                                            rejected: prompts.map { _ in random(seq - half) }, padID: config.vocabSize - 1)
            step = { _ = try update.step(pairs, referenceLogProbs: try update.referenceLogProbs(pairs)) }
            tokensPerRun = 2 * batch * seq
            flopsPerRun = (config.trainingFlopsPerToken(sequenceLength: seq) + config.forwardFlopsPerToken(sequenceLength: seq))
                * Double(2 * batch * seq)
        case .forward:
            step = { _ = try lm.nextTokenLogProbs(tokens) }
            flopsPerRun = config.forwardFlopsPerToken(sequenceLength: seq) * Double(batch * seq)
        case .products, .ppo, .transport:
            preconditionFailure("handled by runProducts, runPPO and runTransport")
        case .generate:
            let generator = Generator(model: lm, weightPacking: weightPacking.policy)
            let parameters = SamplingParameters(temperature: 1, topK: 0, topP: 1, maxNewTokens: newTokens, seed: 3)
            step = { _ = try generator.generate(prompts: ids, parameters: parameters) }
            tokensPerRun = batch * newTokens
            flopsPerRun = Double(batch) * (Double(promptLen) * config.forwardFlopsPerToken(sequenceLength: promptLen)
                + Double(newTokens) * config.forwardFlopsPerToken(sequenceLength: promptLen + newTokens / 2))
        }

        var times: [Double] = []
        for i in 0..<(warmup + runs) {
            let start = DispatchTime.now().uptimeNanoseconds
            try step()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if i >= warmup { times.append(seconds) }
            progress.update(i + 1, note: String(format: "%.3f s", seconds))
        }
        progress.finish()
        let median = times.sorted()[times.count / 2]
        let gflops = flopsPerRun / median / 1e9
        let sgemm = SgemmProbe.measureGflops()
        // decoding reads every weight once per step: compare the step time with the memory-bandwidth bound
        var decode: DecodeBound?
        if workload == .generate {
            let bandwidth = MemoryBandwidthProbe.measureGBps()
            let weightBytes = Double(lm.parameters.parameterCount * MemoryLayout<Float>.size)
            let step = median / Double(newTokens)
            decode = DecodeBound(weight_bytes: weightBytes, read_gbps: bandwidth, step_s: step,
                                 bound_step_s: weightBytes / (bandwidth * 1e9),
                                 fraction_of_bound: weightBytes / (bandwidth * 1e9) / step)
        }
        let result = BenchResult(
            workload: workload.rawValue, model: model.rawValue, threads: compute.threads, batch: batch, seq: seq,
            prompt_len: workload == .generate ? promptLen : nil, new_tokens: workload == .generate ? newTokens : nil,
            tokens_per_s: Double(tokensPerRun) / median, median_s: median, min_s: times.min() ?? median, times_s: times,
            gflops: gflops, sgemm_gflops: sgemm, sgemm_fraction: gflops / sgemm, peak_rss_mb: ProcessStats.peakRSSMegabytes,
            params: lm.parameters.parameterCount, frozen_reference: frozenReference ? true : nil, decode: decode,
            packed_weights: workload == .generate ? weightPacking.policy.packs(batch: batch) : nil,
            isa: InstructionSet.active.description)
        if json {
            try StandardOutput.line(try JSONOutput.line(result))
        } else {
            try StandardOutput.line(String(format: "%@ %@: %.1f tokens/s, median %.3f s, %.1f GFLOP/s (%.0f%% of sgemm %.1f), peak RSS %.0f MB",
                         workload.rawValue, model.rawValue, result.tokens_per_s, median, gflops,
                         100 * result.sgemm_fraction, sgemm, result.peak_rss_mb))
        }
    }
}

extension BenchCommand {
    /// `rlhf bench products`: one decoding step's products, stored against packed weights.
    func runProducts(_ lm: CausalLM) throws {
        let (stored, packed, flops) = DecodeProductsBench.measure(model: lm, rows: batch, runs: runs)
        let result = DecodeProductsResult(workload: workload.rawValue, model: model.rawValue, threads: compute.threads,
                                          rows: batch, stored_s: stored, packed_s: packed,
                                          stored_gflops: flops / stored / 1e9, packed_gflops: flops / packed / 1e9,
                                          speedup: stored / packed)
        if json {
            try StandardOutput.line(try JSONOutput.line(WithInstructionSet(result)))
        } else {
            try StandardOutput.line(String(format: "products of one %@ decoding step, %d rows: stored %.1f ms (%.0f GFLOP/s), "
                             + "packed %.1f ms (%.0f GFLOP/s), %.2fx",
                         model.rawValue, batch, stored * 1e3, result.stored_gflops, packed * 1e3, result.packed_gflops,
                         result.speedup))
        }
    }
}

/// `--weight-packing` values.
enum WeightPackingChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never

    var policy: WeightPacking {
        switch self {
        case .auto: .automatic
        case .always: .always
        case .never: .never
        }
    }
}

/// One benchmark measurement (the JSON line of `rlhf bench --json`).
struct BenchResult: Encodable {
    let workload: String, model: String
    let threads: Int, batch: Int, seq: Int
    let prompt_len: Int?, new_tokens: Int?
    let tokens_per_s: Double, median_s: Double, min_s: Double, times_s: [Double]
    let gflops: Double, sgemm_gflops: Double, sgemm_fraction: Double, peak_rss_mb: Double
    let params: Int
    /// train: whether a frozen reference of the same shape scored each batch too
    let frozen_reference: Bool?
    let decode: DecodeBound?
    /// generate: whether the products read a packed snapshot of the weights
    let packed_weights: Bool?
    /// the instruction set of the CPU kernels ("generic", "avx2", "avx512")
    let isa: String
}

/// A result's JSON object with the kernels' instruction set added as "isa".
struct WithInstructionSet<Result: Encodable>: Encodable {
    let result: Result
    init(_ result: Result) { self.result = result }

    private enum Key: String, CodingKey { case isa }

    func encode(to encoder: Encoder) throws {
        try result.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(InstructionSet.active.description, forKey: .isa)
    }
}

/// How a decoding step compares with reading every weight once from memory.
struct DecodeBound: Encodable {
    let weight_bytes: Double, read_gbps: Double, step_s: Double, bound_step_s: Double, fraction_of_bound: Double
}

/// The model shapes `rlhf bench` can build.
enum BenchModel: String, ExpressibleByArgument, CaseIterable {
    case gpt2Small = "gpt2-small", gpt2Tiny = "gpt2-tiny", llamaSmol = "llama-smol"

    var config: TransformerConfig {
        switch self {
        case .gpt2Small: .gpt2Small
        case .gpt2Tiny: .gpt2Tiny
        case .llamaSmol: .llamaSmol
        }
    }
}
