import Generation
import Models
import Wire

/// What a rollout generator does with a task: sample one response per prompt row with its policy copy,
/// seeded by the task alone, and return the behaviour log-probs.
package enum RolloutSampling {
    /// The rollout of `task` by `generator` (whose model holds policy `version`).
    package static func run(_ task: RolloutTask, generator: Generator, version: Int) throws -> Rollout {
        let s = task.sampling
        let parameters = SamplingParameters(temperature: s.temperature, topK: s.topK, topP: s.topP, minP: s.minP,
                                            maxNewTokens: s.maxNewTokens, stopTokens: Set(s.stopTokens), seed: task.seed)
        let rows = try generator.generate(prompts: task.prompts, parameters: parameters)
        return Rollout(id: task.id, policyVersion: version, responses: rows.map(\.tokens), logProbs: rows.map(\.logprobs),
                       stopped: rows.map { $0.finishReason == .stop })
    }
}
