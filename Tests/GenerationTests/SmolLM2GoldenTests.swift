import Foundation
import Generation
import ModelIO
import Models
import Tensor
import TestSupport
import XCTest

/// SmolLM2-135M-Instruct (the real Q4_1 GGUF from `make models`) against transformers' outputs in
/// `../shared/fixtures/smollm2-goldens.json`: next-token log-probs, the top-10 at the last position,
/// and greedy generation token for token.
final class SmolLM2GoldenTests: XCTestCase {
    struct Case: Decodable {
        let prompt_ids: [Int]
        let next_token_logprobs: [Float]
        let last_top10_ids: [Int]
        let last_top10_logits: [Float]
        let greedy_ids: [Int]
    }
    struct Goldens: Decodable { let cases: [Case] }

    static let shared: (CausalLM, [Case])? = {
        Runtime.configure(threads: 2)
        guard let (config, store, _) = try? GGUFModel.load(url: TestPaths.smolLM2GGUF),
              let data = try? Data(contentsOf: TestPaths.fixture("smollm2-goldens.json")),
              let goldens = try? JSONDecoder().decode(Goldens.self, from: data) else { return nil }
        return (CausalLM(config: config, parameters: store), goldens.cases)
    }()

    func loaded() throws -> (CausalLM, [Case]) {
        guard let s = Self.shared else {
            XCTFail("cannot load \(TestPaths.smolLM2GGUF.path) or the goldens: run `make models`")
            throw CancellationError()
        }
        return s
    }

    func testNextTokenLogProbsAndTop10() throws {
        let (lm, cases) = try loaded()
        for (n, c) in cases.enumerated() {
            let logprobs = try lm.nextTokenLogProbs(TokenBatch(ids: [c.prompt_ids]))[0]
            XCTAssertEqual(logprobs.count, c.next_token_logprobs.count)
            for (i, (got, want)) in zip(logprobs, c.next_token_logprobs).enumerated() {
                XCTAssertEqual(got, want, accuracy: 1e-3, "case \(n) position \(i)")
            }
            let logits = try lm.forward(TokenBatch(ids: [c.prompt_ids]))
            let V = lm.config.vocabSize, last = logits + (c.prompt_ids.count - 1) * V
            let top = (0..<V).sorted { last[$0] > last[$1] }.prefix(10)
            XCTAssertEqual(Array(top), c.last_top10_ids, "case \(n) top-10 ids")
            for (id, want) in zip(c.last_top10_ids, c.last_top10_logits) {
                XCTAssertEqual(last[id], want, accuracy: 1e-3 * max(1, abs(want)), "case \(n) logit of \(id)")
            }
        }
    }

    func testGreedyTokens() throws {
        let (lm, cases) = try loaded()
        let generator = Generator(model: lm)
        for (n, c) in cases.enumerated() {
            let params = SamplingParameters(greedy: true, maxNewTokens: 24, stopTokens: Set(lm.config.eosTokenIDs))
            let out = try generator.generate(prompts: [c.prompt_ids], parameters: params)[0]
            XCTAssertEqual(out.tokens, c.greedy_ids, "case \(n) greedy tokens")
        }
    }

    func testBatchedGreedyEqualsOneByOne() throws {
        let (lm, cases) = try loaded()
        let generator = Generator(model: lm)
        // prompts of different lengths: the two goldens and a short prefix of one
        let prompts = cases.map(\.prompt_ids) + [Array(cases[0].prompt_ids.prefix(9))]
        let params = SamplingParameters(greedy: true, maxNewTokens: 12)
        let batched = try generator.generate(prompts: prompts, parameters: params)
        for (i, p) in prompts.enumerated() {
            let alone = try generator.generate(prompts: [p], parameters: params)[0]
            XCTAssertEqual(batched[i].tokens, alone.tokens, "prompt \(i)")
            for (a, b) in zip(batched[i].logprobs, alone.logprobs) { XCTAssertEqual(a, b, accuracy: 1e-3) }
        }
    }

    func testSeededSamplingRepeatsAndRowsAreIndependent() throws {
        let (lm, cases) = try loaded()
        let generator = Generator(model: lm)
        // three rows of different lengths: the two goldens and a short prefix of the first
        let prompts = cases.map(\.prompt_ids) + [Array(cases[0].prompt_ids.prefix(9))]
        let filler = Array(cases[1].prompt_ids.suffix(5))
        let params = SamplingParameters(temperature: 0.9, topP: 0.95, maxNewTokens: 10, seed: 42)
        let first = try generator.generate(prompts: prompts, parameters: params)
        let second = try generator.generate(prompts: prompts, parameters: params)
        XCTAssertEqual(first, second, "same seed, same samples")
        XCTAssertEqual(Set(first.map(\.tokens)).count, prompts.count, "the rows sample different tokens")
        // a row's stream depends on its index: every row keeps its place while every other row changes
        // (another prompt, and one more row after the last), and samples what it sampled in the batch
        for i in prompts.indices {
            var changed = [[Int]](repeating: filler, count: prompts.count + 1)
            changed[i] = prompts[i]
            let again = try generator.generate(prompts: changed, parameters: params)
            XCTAssertEqual(again[i].tokens, first[i].tokens, "row \(i) does not depend on the other rows")
            assertClose(again[i].logprobs, first[i].logprobs, absolute: 1e-3, "row \(i) log-probs")
        }
        let row0 = try generator.generate(prompts: [prompts[0]], parameters: params)[0]
        XCTAssertEqual(row0.tokens, first[0].tokens, "row 0 alone samples what it sampled in the batch")
        let other = try generator.generate(prompts: prompts, parameters: SamplingParameters(temperature: 0.9, topP: 0.95, maxNewTokens: 10, seed: 7))
        XCTAssertNotEqual(other.map(\.tokens), first.map(\.tokens), "another seed, other samples")
    }
}
