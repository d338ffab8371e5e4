import Models
import Tensor
import TestSupport
import XCTest

/// LoRA adapters on small random models: gradients of A and B (and, through the base's embedding, the
/// adapter's input gradient) against central finite differences; the merged base gives the adapter's
/// logits; a frozen base keeps no gradient memory; bad targets are typed errors.
final class LoRAAdapterTests: XCTestCase {
    override func setUp() { Runtime.configure(threads: 2) }

    static let llama = TransformerConfig(architecture: .llama, vocabSize: 37, maxPositions: 16, layers: 2, width: 16,
                                         heads: 4, kvHeads: 2, ffnWidth: 24, ropeBase: 10_000, tiedEmbeddings: false)
    static let gpt2 = TransformerConfig(architecture: .gpt2, vocabSize: 41, maxPositions: 16, layers: 2, width: 16, heads: 2)
    static let llamaBatch = try! TokenBatch(leftPadding: [[3, 9, 27, 1, 5, 8], [4, 20, 11]], padID: 0)
    static let gpt2Batch = try! TokenBatch(ids: [[1, 7, 30, 2, 9], [40, 3, 3, 12, 6]])

    /// A model with random weights (`frozen`: its store frozen) and an attached adapter with random A and B.
    private func model(_ config: TransformerConfig, targets: [String], frozen: Bool) throws -> (CausalLM, LoRAAdapter) {
        let lm = CausalLM(config: config)
        lm.parameters.initializeRandom(seed: 11, std: 0.3)
        if frozen { lm.freeze() }
        let adapter = try LoRAAdapter(config: LoRAConfig(rank: 3, alpha: 5, targets: targets), model: config, seed: 4)
        let values = FiniteDifference.weights(adapter.parameters.count, seed: 9).map { $0 * 0.4 }
        adapter.parameters.backend.upload(values, to: adapter.parameters.values.pointer)
        try lm.attach(adapter: adapter)
        return (lm, adapter)
    }

    private func gradientCheck(_ config: TransformerConfig, _ batch: TokenBatch, targets: [String], frozen: Bool) throws {
        let (lm, adapter) = try model(config, targets: targets, frozen: frozen)
        lm.enableTraining()
        try lm.forward(batch, training: true)
        _ = try lm.nextTokenLoss()
        try lm.backward()
        func loss() throws -> Double {
            try lm.forward(batch, training: true)
            return Double(try lm.nextTokenLoss())
        }
        var stores = [("adapter", adapter.parameters)]
        if frozen {
            XCTAssertNil(lm.parameters.gradients, "a frozen base keeps no gradients")
        } else {
            stores.append(("base", lm.parameters))  // its gradients flow through the adapters' input gradients
        }
        let checked = try FiniteDifference.check(stores, step: 1e-2, samples: 3, "\(config.architecture) \(targets)", loss: loss)
        XCTAssertEqual(checked, 3 * stores.reduce(0) { $0 + $1.1.specs.count })
        // along random directions over all of A and B at once
        try FiniteDifference.checkDirections([adapter.parameters], step: 0.1, tolerance: .init(relative: 1e-2),
                                             "\(config.architecture) \(targets)", loss: loss)
    }

    func testLlamaGradientsMatchFiniteDifferences() throws {
        try gradientCheck(Self.llama, Self.llamaBatch, targets: LoRAConfig.knownTargets(for: .llama), frozen: true)
    }

    func testLlamaInputGradientThroughTrainableBase() throws {
        try gradientCheck(Self.llama, Self.llamaBatch, targets: ["q_proj", "v_proj", "up_proj", "down_proj"], frozen: false)
    }

    func testGPT2GradientsMatchFiniteDifferences() throws {
        try gradientCheck(Self.gpt2, Self.gpt2Batch, targets: ["c_attn", "c_proj", "c_fc"], frozen: true)
        try gradientCheck(Self.gpt2, Self.gpt2Batch, targets: ["c_attn", "c_proj", "c_fc"], frozen: false)
    }

    /// Logits with the adapter attached, then those of a copy of the base with the adapter merged into it.
    private func mergedAndAttached(_ config: TransformerConfig, _ batch: TokenBatch, targets: [String]) throws -> ([Float], [Float]) {
        let (lm, adapter) = try model(config, targets: targets, frozen: true)
        let N = batch.batch * batch.length * config.vocabSize
        let attached = lm.backend.download(try lm.forward(batch), count: N)
        let merged = CausalLM(config: config, parameters: lm.parameters.copy())
        try adapter.merge(into: merged.parameters)
        return (attached, lm.backend.download(try merged.forward(batch), count: N))
    }

    func testMergedAdapterGivesTheAdapterLogits() throws {
        for (config, batch, targets) in [(Self.llama, Self.llamaBatch, LoRAConfig.knownTargets(for: .llama)),
                                         (Self.llama, Self.llamaBatch, ["k_proj", "gate_proj"]),
                                         (Self.gpt2, Self.gpt2Batch, ["c_attn", "c_proj", "c_fc"])] {
            let (attached, merged) = try mergedAndAttached(config, batch, targets: targets)
            let base = CausalLM(config: config)
            base.parameters.initializeRandom(seed: 11, std: 0.3)
            let plain = base.backend.download(try base.forward(batch), count: attached.count)
            let worst = zip(attached, merged).map { abs($0 - $1) }.max()!
            let moved = zip(attached, plain).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(worst, 1e-4, "\(config.architecture) \(targets): merged vs attached")
            XCTAssertGreaterThan(moved, 1e-2, "\(config.architecture) \(targets): the adapter changes the logits")
        }
    }

    func testNewAdapterChangesNothingAndOnlyItGetsGradients() throws {
        let lm = CausalLM(config: Self.llama)
        lm.parameters.initializeRandom(seed: 11, std: 0.3)
        let N = Self.llamaBatch.batch * Self.llamaBatch.length * Self.llama.vocabSize
        let before = lm.backend.download(try lm.forward(Self.llamaBatch), count: N)
        lm.freeze()
        let adapter = try LoRAAdapter(config: LoRAConfig(rank: 4, targets: ["q_proj", "v_proj"]), model: Self.llama)
        try lm.attach(adapter: adapter)
        XCTAssertEqual(lm.backend.download(try lm.forward(Self.llamaBatch), count: N), before, "B = 0: the base's logits")
        lm.enableTraining()
        try lm.forward(Self.llamaBatch, training: true)
        _ = try lm.nextTokenLoss()
        try lm.backward()
        XCTAssertNil(lm.parameters.gradients)
        XCTAssertEqual(lm.parameters.allocatedFloats, lm.parameters.count, "the base holds only its values")
        XCTAssertEqual(lm.trainableStores.map { ObjectIdentifier($0) }, [ObjectIdentifier(adapter.parameters)])
        let g = lm.backend.download(adapter.parameters.gradients!.pointer, count: adapter.parameters.count)
        XCTAssertGreaterThan(g.map(abs).max()!, 0, "B's gradient is nonzero even at B = 0")
        XCTAssertEqual(adapter.scale, 2, "alpha defaults to 2r")
        lm.detachAdapter()
        XCTAssertEqual(lm.backend.download(try lm.forward(Self.llamaBatch), count: N), before)
    }

    func testBadTargetsAndRanksAreTypedErrors() {
        XCTAssertThrowsError(try LoRAAdapter(config: LoRAConfig(rank: 2, targets: ["qkv"]), model: Self.llama)) { error in
            XCTAssertEqual("\(error)", "LoRA target qkv is not a llama projection; use q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj")
        }
        XCTAssertThrowsError(try LoRAAdapter(config: LoRAConfig(rank: 2, targets: ["c_attn", "c_attn"]), model: Self.gpt2)) { error in
            XCTAssertEqual(error as? LoRAError, .targets("c_attn is named twice"))
        }
        XCTAssertThrowsError(try LoRAAdapter(config: LoRAConfig(rank: 17, targets: ["q_proj"]), model: Self.llama)) { error in
            XCTAssertEqual(error as? LoRAError, .rank(17))
        }
        XCTAssertThrowsError(try LoRAAdapter(config: LoRAConfig(rank: 2, alpha: -1, targets: ["q_proj"]), model: Self.llama))
        let other = try! LoRAAdapter(config: LoRAConfig(rank: 2, targets: ["c_attn"]), model: Self.gpt2)
        XCTAssertThrowsError(try CausalLM(config: Self.llama).attach(adapter: other))
    }
}
