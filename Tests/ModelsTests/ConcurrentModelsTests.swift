import Models
import Tensor
import XCTest

/// The embedded default runs the policy, reference, reward model and critic in one process, called from
/// different Swift tasks: concurrent passes on different models share the worker pool and give exactly
/// what sequential ones give.
final class ConcurrentModelsTests: XCTestCase {
    override func setUp() { Runtime.configure(threads: 2) }

    /// One model's work: a score of a fixed batch (log-probs for causal LMs, rewards for a classifier).
    struct Job: @unchecked Sendable {
        let run: () throws -> [Float]
    }

    static func jobs() throws -> [Job] {
        let gpt2 = CausalLM(config: TransformerConfig(architecture: .gpt2, vocabSize: 97, maxPositions: 64, layers: 2,
                                                      width: 32, heads: 4))
        gpt2.parameters.initializeRandom(seed: 1, std: 0.2)
        let llama = CausalLM(config: TransformerConfig(architecture: .llama, vocabSize: 89, maxPositions: 64, layers: 2,
                                                       width: 32, heads: 4, kvHeads: 2, ffnWidth: 48))
        llama.parameters.initializeRandom(seed: 2, std: 0.2)
        let reward = SequenceClassifier(config: llama.config, padTokenID: 0)
        reward.parameters.initializeRandom(seed: 3, std: 0.2)
        reward.head.parameters.initializeRandom(seed: 4, std: 0.2)
        let batch = try TokenBatch(leftPadding: (0..<6).map { b in (0..<(20 + b)).map { ($0 * 7 + b) % 80 + 1 } }, padID: 0)
        let targets = CausalLM.nextTokenTargets(batch)
        return [
            Job { try gpt2.scoreTokens(batch, targets: targets, temperature: 0.9, entropy: true).logProbs },
            Job { try llama.nextTokenLogProbs(batch).flatMap { $0 } },
            Job { try reward.rewards(batch) },
        ]
    }

    func testConcurrentPassesEqualSequentialOnes() async throws {
        let jobs = try Self.jobs()
        let sequential = try jobs.map { try $0.run() }
        for _ in 0..<3 {
            let concurrent = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
                for (i, job) in jobs.enumerated() { group.addTask { (i, try job.run()) } }
                var out = [[Float]](repeating: [], count: jobs.count)
                for try await (i, result) in group { out[i] = result }
                return out
            }
            XCTAssertEqual(concurrent, sequential)
        }
    }
}
