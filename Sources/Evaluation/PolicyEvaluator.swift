import Datasets
import Generation
import ModelIO
import Models
import PPO
import Training

/// Samples one response per prompt from a policy and measures each: its reward, its KL to the reference,
/// its sentiment and its harmlessness. Every policy sees the same prompts in the same batches with the same
/// seeds, so two policies differ only by their weights.
package struct PolicyEvaluator {
    /// The prompts, in the policies' token ids.
    package let prompts: [[Int]]
    /// The policies' tokenizer (they must share it: the KL compares their token distributions).
    package let tokenizer: any Tokenizer
    /// The reward of a (prompt, response) row.
    package let reward: any RewardFunction
    /// The harmlessness reward model (nil: not measured).
    package let harmlessness: (any RewardFunction)?
    /// VADER, for the sentiment of every response.
    package let vader: VaderSentiment
    /// The frozen reference for the KL (nil: not measured).
    package let reference: CausalLM?
    /// How responses are sampled; `seed` is the first batch's seed, the next batches' follow it.
    package let sampling: SamplingParameters
    /// Prompts sampled together.
    package let batchSize: Int

    /// An evaluator of `prompts` (non-empty, each non-empty).
    package init(prompts: [[Int]], tokenizer: any Tokenizer, reward: any RewardFunction, harmlessness: (any RewardFunction)?,
                 vader: VaderSentiment, reference: CausalLM?, sampling: SamplingParameters, batchSize: Int) {
        precondition(batchSize >= 1, "a batch holds a prompt")
        self.prompts = prompts
        self.tokenizer = tokenizer
        self.reward = reward
        self.harmlessness = harmlessness
        self.vader = vader
        self.reference = reference
        self.sampling = sampling
        self.batchSize = batchSize
    }

    /// The responses of `policy` (frozen by the caller) to every prompt, measured; `progress(done, total)`
    /// hears of each batch done.
    package func evaluate(_ policy: CausalLM, progress: (Int, Int) -> Void = { _, _ in }) throws -> [EvaluatedResponse] {
        let generator = Generator(model: policy)
        var results: [EvaluatedResponse] = []
        results.reserveCapacity(prompts.count)
        for (index, start) in stride(from: 0, to: prompts.count, by: batchSize).enumerated() {
            let queries = Array(prompts[start..<min(start + batchSize, prompts.count)])
            var parameters = sampling
            parameters.seed = sampling.seed &+ UInt64(index)
            let rows = try generator.generate(prompts: queries, parameters: parameters)
            let responses = rows.map(\.tokens)
            let rewards = try reward.scores(queries: queries, responses: responses)
            let harmless = try harmlessness?.scores(queries: queries, responses: responses)
            let kl = try reference.map { try Self.kl(queries: queries, responses: responses, policy: policy, reference: $0,
                                                      temperature: sampling.temperature, padID: generator.padID) }
            for b in queries.indices {
                let text = tokenizer.decode(responses[b], skipSpecialTokens: true)
                results.append(EvaluatedResponse(
                    prompt: tokenizer.decode(queries[b], skipSpecialTokens: true), response: text, tokens: responses[b].count,
                    endedWithEOS: rows[b].finishReason == .stop, reward: Double(rewards[b]), kl: kl?[b],
                    sentiment: vader.scores(text).compound, harmlessness: harmless.map { Double($0[b]) }))
            }
            progress(results.count, prompts.count)
        }
        return results
    }

    /// Σ_t log π(y_t) − log π_ref(y_t) over each response, both scored at `temperature` on the same
    /// padded batch.
    static func kl(queries: [[Int]], responses: [[Int]], policy: CausalLM, reference: CausalLM, temperature: Float,
                   padID: Int) throws -> [Double] {
        let batch = try RolloutBatch(queries: queries, responses: responses, padID: padID)
        let mine = try policy.scoreTokens(batch.tokens, targets: batch.targets, temperature: temperature).logProbs
        let theirs = try reference.scoreTokens(batch.tokens, targets: batch.targets, temperature: temperature).logProbs
        return (0..<batch.rows).map { b in
            (0..<batch.length).reduce(0.0) { sum, t in
                let i = b * batch.length + t
                return batch.responseMask[i] > 0 ? sum + Double(mine[i] - theirs[i]) : sum
            }
        }
    }
}
