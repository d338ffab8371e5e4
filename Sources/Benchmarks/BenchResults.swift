import Tensor

/// One measurement of a step workload (train, forward, generate, dpo): the JSON line of `rlhf bench
/// <workload> --json`.
package struct BenchResult: Encodable, Sendable {
    package let workload: String, model: String
    package let threads: Int, batch: Int, seq: Int
    package let prompt_len: Int?, new_tokens: Int?
    package let tokens_per_s: Double, median_s: Double, min_s: Double, times_s: [Double]
    package let gflops: Double, sgemm_gflops: Double, sgemm_fraction: Double, peak_rss_mb: Double
    package let params: Int
    /// train: whether a frozen reference of the same shape scored each batch too
    package let frozen_reference: Bool?
    package let decode: DecodeBound?
    /// generate: whether the products read a packed snapshot of the weights
    package let packed_weights: Bool?
    /// the instruction set of the CPU kernels ("generic", "avx2", "avx512")
    package let isa: String
}

/// How a decoding step compares with reading every weight once from memory.
package struct DecodeBound: Encodable, Sendable {
    package let weight_bytes: Double, read_gbps: Double, step_s: Double, bound_step_s: Double, fraction_of_bound: Double
}

/// The JSON line of `rlhf bench products --json`.
package struct DecodeProductsResult: Encodable, Sendable {
    package let workload: String, model: String
    package let threads: Int, rows: Int
    package let stored_s: Double, packed_s: Double, stored_gflops: Double, packed_gflops: Double, speedup: Double
}

/// The JSON line of `rlhf bench ppo --json`.
package struct PPOBenchResult: Encodable, Sendable {
    package let workload: String, model: String
    package let threads: Int, batch: Int, mini_batch: Int, ppo_epochs: Int, prompt_len: Int, new_tokens: Int, optimizer_steps: Int
    package let median_s: Double, min_s: Double, times_s: [Double]
    package let generate_s: Double, score_s: Double, reference_s: Double, learn_s: Double
    package let peak_rss_mb: Double
    package let isa: String
}

/// A result's JSON object with the kernels' instruction set added as "isa".
package struct WithInstructionSet<Result: Encodable>: Encodable {
    let result: Result
    package init(_ result: Result) { self.result = result }

    private enum Key: String, CodingKey { case isa }

    package func encode(to encoder: Encoder) throws {
        try result.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(InstructionSet.active.description, forKey: .isa)
    }
}
