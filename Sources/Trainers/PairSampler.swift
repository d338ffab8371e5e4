import Datasets
import Generation
import ModelIO
import Tensor

/// The two responses of each prompt for `rlhf pairs`: A sampled at the first temperature, B at the second,
/// in batches. Prompt i's response on side s draws from a random stream of (seed, s, i) alone, so the
/// samples do not depend on `--batch`.
package struct PairSampler {
    let generator: Generator
    let tokenizer: any Tokenizer
    /// A's and B's temperatures.
    let temperatures: [Float]
    /// Everything but the temperature and the seed (top-p, new-token limit, stop tokens).
    let sampling: SamplingParameters
    /// The run seed.
    let seed: UInt64

    /// A sampler of pairs with `generator`, texts read back with `tokenizer`.
    package init(generator: Generator, tokenizer: any Tokenizer, temperatures: [Float], sampling: SamplingParameters, seed: UInt64) {
        self.generator = generator
        self.tokenizer = tokenizer
        self.temperatures = temperatures
        self.sampling = sampling
        self.seed = seed
    }

    /// The generator's per-row stream multiplier (`Generator.generate` seeds row r with seed + K·(r+1)).
    private static let rowStride: UInt64 = 0x5851_F42D_4C95_7F2D

    /// The seed to hand `Generator` for side `side` of the batch that starts at prompt `start`: row r then
    /// draws from the stream of prompt `start + r`, whatever the batch.
    func batchSeed(side: Int, start: Int) -> UInt64 {
        var mix = SplitMix64(seed: seed &+ UInt64(side))
        return mix.next() &+ Self.rowStride &* UInt64(start)
    }

    /// The pairs of `texts` (encoded as `prompts`), the first at prompt `start` of the run.
    /// `progress(rows)` is called after each side with the rows sampled so far in this batch.
    package func pairs(texts: [String], prompts: [[Int]], start: Int, progress: (Int) -> Void) throws -> [ResponsePair] {
        var sides: [[String]] = []
        for (side, temperature) in temperatures.enumerated() {
            var parameters = sampling
            parameters.temperature = temperature
            parameters.seed = batchSeed(side: side, start: start)
            let outputs = try generator.generate(prompts: prompts, parameters: parameters)
            sides.append(zip(prompts, outputs).map { tokenizer.continuation(of: $1.tokens, after: $0) })
            progress((side + 1) * prompts.count)
        }
        return texts.indices.map { ResponsePair(prompt: texts[$0], a: sides[0][$0], b: sides[1][$0]) }
    }
}
