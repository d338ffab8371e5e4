import Generation
import Models
import Tensor
import XCTest

/// Generation through packed weights computes what the plain products compute, for GPT-2 (biases) and an
/// untied GQA Llama, with vocabulary and widths that leave partial panels; and the packed snapshot
/// follows the model's weights when they change between `generate` calls.
final class PackedWeightsTests: XCTestCase {
    static let gpt2 = TransformerConfig(architecture: .gpt2, vocabSize: 1001, maxPositions: 64, layers: 2, width: 64,
                                        heads: 4, bosTokenID: 0, eosTokenIDs: [1000])
    static let llama = TransformerConfig(architecture: .llama, vocabSize: 1001, maxPositions: 64, layers: 2, width: 64,
                                         heads: 4, kvHeads: 2, headDim: 16, ffnWidth: 100, normEps: 1e-5,
                                         ropeBase: 10_000, tiedEmbeddings: false, bosTokenID: 0, eosTokenIDs: [1000])

    /// A model whose every parameter (biases and norm gains included) is uniform in ±0.2.
    func randomModel(_ config: TransformerConfig, seed: UInt64) -> CausalLM {
        let lm = CausalLM(config: config)
        fillRandom(lm, seed: seed)
        return lm
    }

    func fillRandom(_ lm: CausalLM, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let values = lm.parameters.values
        for i in 0..<values.count { values.pointer[i] = Float.random(in: -0.2...0.2, using: &rng) }
    }

    let prompts = [[5, 17, 300, 999, 42], [7], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]]
    let greedy = SamplingParameters(greedy: true, maxNewTokens: 10)

    func assertSameGeneration(_ a: [GeneratedSequence], _ b: [GeneratedSequence], _ what: String,
                              file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.map(\.tokens), b.map(\.tokens), what, file: file, line: line)
        for (x, y) in zip(a, b) {
            for (p, q) in zip(x.logprobs, y.logprobs) { XCTAssertEqual(p, q, accuracy: 1e-4, what, file: file, line: line) }
        }
    }

    func testPackedGenerationEqualsPlainProducts() throws {
        Runtime.configure(threads: 2)
        for config in [Self.gpt2, Self.llama] {
            let lm = randomModel(config, seed: 11)
            let packed = try Generator(model: lm, weightPacking: .always).generate(prompts: prompts, parameters: greedy)
            let plain = try Generator(model: lm, weightPacking: .never).generate(prompts: prompts, parameters: greedy)
            assertSameGeneration(packed, plain, "\(config.architecture)")
        }
    }

    func testPackedSnapshotFollowsWeightUpdates() throws {
        Runtime.configure(threads: 2)
        let lm = randomModel(Self.llama, seed: 3)
        let generator = Generator(model: lm, weightPacking: .always)
        let before = try generator.generate(prompts: prompts, parameters: greedy)
        fillRandom(lm, seed: 4)
        let after = try generator.generate(prompts: prompts, parameters: greedy)
        let plain = try Generator(model: lm, weightPacking: .never).generate(prompts: prompts, parameters: greedy)
        assertSameGeneration(after, plain, "after the update")
        XCTAssertNotEqual(before.map(\.tokens), after.map(\.tokens), "new weights, new tokens")
    }

    func testAutomaticPackingStartsAbove16Prompts() {
        XCTAssertFalse(WeightPacking.automatic.packs(batch: 16))
        XCTAssertTrue(WeightPacking.automatic.packs(batch: 17))
        XCTAssertFalse(WeightPacking.never.packs(batch: 1000))
        XCTAssertTrue(WeightPacking.always.packs(batch: 1))
    }
}
