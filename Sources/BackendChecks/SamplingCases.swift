import Tensor

/// Token sampling: greedy, temperature, top-k, top-p and min-p, each row drawing from its own seeded
/// `SplitMix64` stream. Tokens and stream states must match exactly, log-probabilities within tolerance.
package enum SamplingCases {
    package static let all: [BackendCheckCase] = [
        BackendCheckCase("sampleTokens greedy", function: "sampleTokens") { run in
            sample(run, batch: run.rng.int(in: 1...6), vocab: run.rng.int(in: 2...3000), rule: SamplingRule(greedy: true))
        },
        BackendCheckCase("sampleTokens temperature 0.7", function: "sampleTokens") { run in
            sample(run, batch: run.rng.int(in: 1...6), vocab: run.rng.int(in: 2...3000), rule: SamplingRule(temperature: 0.7))
        },
        BackendCheckCase("sampleTokens top-k", function: "sampleTokens") { run in
            sample(run, batch: run.rng.int(in: 1...6), vocab: run.rng.int(in: 50...3000),
                   rule: SamplingRule(temperature: 1.1, topK: run.rng.int(in: 1...60)))
        },
        BackendCheckCase("sampleTokens top-p", function: "sampleTokens") { run in
            sample(run, batch: run.rng.int(in: 1...6), vocab: run.rng.int(in: 2...3000), rule: SamplingRule(temperature: 0.8, topP: 0.9))
        },
        BackendCheckCase("sampleTokens min-p", function: "sampleTokens") { run in
            sample(run, batch: run.rng.int(in: 1...6), vocab: run.rng.int(in: 2...3000), rule: SamplingRule(temperature: 1, minP: 0.1))
        },
        BackendCheckCase("sampleTokens top-k top-p min-p", function: "sampleTokens") { run in
            sample(run, batch: run.rng.int(in: 1...6), vocab: run.rng.int(in: 50...3000),
                   rule: SamplingRule(temperature: 0.6, topK: 50, topP: 0.95, minP: 0.02))
        },
        BackendCheckCase("sampleTokens large vocab", function: "sampleTokens") { run in
            sample(run, batch: 3, vocab: run.rng.int(in: LossCases.largeVocab), rule: SamplingRule(temperature: 1))
        },
        BackendCheckCase("sampleTokens large vocab top-p", function: "sampleTokens") { run in
            sample(run, batch: 3, vocab: run.rng.int(in: LossCases.largeVocab), rule: SamplingRule(temperature: 0.9, topP: 0.8))
        },
    ]

    /// Calls sampled per case (the streams carry over from call to call).
    static let rounds = 3

    /// logits[B,V] with no two values alike (so "sorted by probability" has one order on any backend):
    /// evenly spaced values centred on 0, over a width of 8 (even rows) or 3 (odd rows), in a random order;
    /// every third row's top three raised by 4, so some rows are peaked and some flat.
    static func distinctLogits(_ run: CaseRun, batch B: Int, vocab V: Int) -> [Float] {
        (0..<B).flatMap { b -> [Float] in
            let spread: Float = b % 2 == 0 ? 8 : 3
            let ranks = run.rng.shuffled(Array(0..<V))
            return ranks.map { r in -spread / 2 + spread * (Float(r) + 0.5) / Float(V) + (r >= V - 3 && b % 3 == 0 ? 4 : 0) }
        }
    }

    /// `rounds` calls of sampleTokens over a shuffled subset of the rows of logits[B,V], each row b
    /// drawing from streams[b]: the tokens, their log-probabilities, the streams' final states and the
    /// logits (which the sampler must not change) are compared; scratch[B,V] is the sampler's own.
    static func sample(_ run: CaseRun, batch B: Int, vocab V: Int, rule: SamplingRule) {
        run.describe("B=\(B) V=\(V)")
        let logits = run.floats(distinctLogits(run, batch: B, vocab: V))  // [B,V]
        let scratch = run.randomFloats(B * V)  // [B,V]
        let seeds = (0..<B).map { _ in run.rng.next() }
        var candidateStreams = seeds.map(SplitMix64.init(seed:)), referenceStreams = candidateStreams
        var candidateTokens: [Int] = [], referenceTokens: [Int] = []
        var candidateLogProbs: [Float] = [], referenceLogProbs: [Float] = []
        for _ in 0..<rounds {
            // a shuffled subset of the rows (one left out when there are several)
            let rows = Array(run.rng.shuffled(Array(0..<B)).prefix(B > 1 ? B - 1 : 1))
            let c = run.candidate.sampleTokens(logits: logits[.candidate], scratch: scratch[.candidate], rows: rows, vocab: V,
                                               rule: rule, streams: &candidateStreams)
            let r = run.reference.sampleTokens(logits: logits[.reference], scratch: scratch[.reference], rows: rows, vocab: V,
                                               rule: rule, streams: &referenceStreams)
            candidateTokens += c.map(\.token); referenceTokens += r.map(\.token)
            candidateLogProbs += c.map(\.logprob); referenceLogProbs += r.map(\.logprob)
        }
        run.expectEqual("tokens", candidate: candidateTokens, reference: referenceTokens)
        // a log-probability's rounding error is absolute (the log of a relative one): 1 nat is its floor
        run.expectClose("logprobs", candidate: candidateLogProbs, reference: referenceLogProbs,
                        magnitudes: Array(repeating: 1, count: referenceLogProbs.count))
        run.expectEqual("stream states", candidate: candidateStreams.map(\.state), reference: referenceStreams.map(\.state))
        run.expectClose("logits", logits)
    }
}
