import Models
import Tensor
import XCTest

/// A frozen model (a reference or reward model) costs only its weights: no gradient store, no optimizer
/// state, and a forward that keeps no [B·T,V] logits when it scores with `scoreTokens`.
final class FrozenModelTests: XCTestCase {
    override func setUp() { Runtime.configure(threads: 2) }

    static let config = TransformerConfig(architecture: .llama, vocabSize: 53, maxPositions: 32, layers: 2, width: 16,
                                          heads: 4, kvHeads: 2, ffnWidth: 24, tiedEmbeddings: false)

    func testFrozenReferenceAllocatesNoGradients() throws {
        let policy = CausalLM(config: Self.config), reference = CausalLM(config: Self.config)
        policy.parameters.initializeRandom(seed: 1)
        reference.parameters.initializeRandom(seed: 1)
        reference.freeze()
        let batch = try TokenBatch(leftPadding: [[4, 8, 15, 16], [23, 42]], padID: 0)
        let targets = CausalLM.nextTokenTargets(batch)
        _ = try reference.scoreTokens(batch, targets: targets)
        _ = try reference.forward(batch)
        try policy.forward(batch, training: true)
        _ = try policy.nextTokenLoss()
        try policy.backward()
        XCTAssertNil(reference.parameters.gradients)
        XCTAssertEqual(reference.parameters.allocatedFloats, reference.parameters.values.count)
        XCTAssertEqual(policy.parameters.allocatedFloats, 2 * policy.parameters.values.count)
        XCTAssertThrowsError(try reference.forward(batch, training: true)) { XCTAssertEqual($0 as? ModelInputError, .frozen) }
    }

    func testFrozenClassifierAllocatesNoGradients() throws {
        let model = SequenceClassifier(config: Self.config, padTokenID: 0)
        model.freeze()
        _ = try model.rewards(try TokenBatch(ids: [[3, 5, 7, 0]]))
        XCTAssertNil(model.parameters.gradients)
        XCTAssertNil(model.head.parameters.gradients)
        XCTAssertThrowsError(try model.rewards(try TokenBatch(ids: [[3, 5]]), training: true)) {
            XCTAssertEqual($0 as? ModelInputError, .frozen)
        }
        // without an untied LM head its trunk is smaller than the causal LM's store
        XCTAssertNil(model.parameters.spec(named: "lm_head.weight"))
    }

    func testChunkedScoringEqualsFullLogits() throws {
        let lm = CausalLM(config: Self.config)
        lm.parameters.initializeRandom(seed: 3, std: 0.3)
        // 2 x 40 = 80 rows: more than one 64-row chunk
        let ids = (0..<2).map { b in (0..<40).map { (b * 7 + $0 * 5) % 53 } }
        var config = Self.config
        config.maxPositions = 64
        let long = CausalLM(config: config, parameters: lm.parameters)
        let batch = try TokenBatch(ids: ids)
        let targets = CausalLM.nextTokenTargets(batch)
        let chunked = try long.scoreTokens(batch, targets: targets, temperature: 0.8, entropy: true)
        try long.forward(batch)
        let full = try long.tokenLogProbs(targets: targets, temperature: 0.8, entropy: true)
        // the same math on 64-row and 16-row products: equal to float rounding
        for (c, f) in zip(chunked.logProbs, full.logProbs) { XCTAssertEqual(c, f, accuracy: 1e-5) }
        for (c, f) in zip(chunked.entropy!, full.entropy!) { XCTAssertEqual(c, f, accuracy: 1e-5) }
        XCTAssertEqual(chunked.logProbs.count, 80)
        // tokenLogProbs after scoreTokens has no logits to read: an error, not stale values
        _ = try long.scoreTokens(batch, targets: targets)
        XCTAssertThrowsError(try long.tokenLogProbs(targets: targets))
    }

    func testArenasStayBoundedAcrossShapes() throws {
        let lm = CausalLM(config: Self.config)
        lm.parameters.initializeRandom(seed: 4)
        for length in 2..<12 {
            let batch = try TokenBatch(ids: [Array(repeating: 3, count: length)])
            try lm.forward(batch, training: length % 2 == 0)
            _ = try lm.scoreTokens(batch, targets: CausalLM.nextTokenTargets(batch))
        }
        XCTAssertLessThanOrEqual(lm.decoder.arenaCount, 3)
    }
}

/// Gradients allocated by someone else (an optimizer) before the first training pass are still used.
final class GradientBindingTests: XCTestCase {
    func testGradientsEnabledByTheStoreAloneAreBound() throws {
        let lm = CausalLM(config: FrozenModelTests.config)
        lm.parameters.initializeRandom(seed: 2)
        lm.parameters.enableGradients()  // as AdamW(store:) does
        try lm.forward(try TokenBatch(ids: [[1, 2, 3]]), training: true)
        _ = try lm.nextTokenLoss()
        try lm.backward()
        XCTAssertGreaterThan(GradientNorm.of(lm.parameters), 0)
    }
}

private enum GradientNorm {
    static func of(_ store: ParameterStore) -> Double {
        store.gradients!.array.reduce(0) { $0 + Double($1 * $1) }.squareRoot()
    }
}
