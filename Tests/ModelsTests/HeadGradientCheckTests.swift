import Models
import Tensor
import TestSupport
import XCTest

/// Every head and every combination of gradients that `backward` takes, against finite differences, on
/// a GPT-2 and on an untied Llama with grouped KV heads and a left-padded batch.
final class HeadGradientCheckTests: XCTestCase {
    override func setUp() { Runtime.configure(threads: 2) }

    static let llama = TransformerConfig(architecture: .llama, vocabSize: 37, maxPositions: 16, layers: 2, width: 16,
                                         heads: 4, kvHeads: 2, ffnWidth: 24, ropeBase: 10_000, tiedEmbeddings: false)
    static let gpt2 = TransformerConfig(architecture: .gpt2, vocabSize: 41, maxPositions: 16, layers: 2, width: 16, heads: 2)
    static func llamaBatch() throws -> TokenBatch { try TokenBatch(leftPadding: [[3, 9, 27, 1, 5, 8], [4, 20, 11]], padID: 0) }
    static func gpt2Batch() throws -> TokenBatch { try TokenBatch(ids: [[1, 7, 30, 2, 9], [40, 3, 3, 12, 6]]) }

    /// Which terms of the loss Σ a·logp + Σ b·H + Σ c·value + Σ d·logit are on.
    struct Terms: OptionSet {
        let rawValue: Int
        static let logProbs = Terms(rawValue: 1), entropy = Terms(rawValue: 2), values = Terms(rawValue: 4)
        static let logits = Terms(rawValue: 8)
    }

    func testLlamaTemperatureLogProbs() throws { try checkPolicy(Self.llama, Self.llamaBatch(), [.logProbs]) }
    func testLlamaEntropy() throws { try checkPolicy(Self.llama, Self.llamaBatch(), [.entropy]) }
    func testLlamaValueHeadOnSharedTrunk() throws { try checkPolicy(Self.llama, Self.llamaBatch(), [.values]) }
    func testLlamaDirectLogitGradient() throws { try checkPolicy(Self.llama, Self.llamaBatch(), [.logits]) }
    func testLlamaLMPlusValueHead() throws {
        try checkPolicy(Self.llama, Self.llamaBatch(), [.logProbs, .entropy, .values, .logits])
    }
    func testGPT2TemperatureLogProbs() throws { try checkPolicy(Self.gpt2, Self.gpt2Batch(), [.logProbs]) }
    func testGPT2Entropy() throws { try checkPolicy(Self.gpt2, Self.gpt2Batch(), [.entropy]) }
    func testGPT2ValueHeadOnSharedTrunk() throws { try checkPolicy(Self.gpt2, Self.gpt2Batch(), [.values]) }
    func testGPT2LMPlusValueHead() throws {
        try checkPolicy(Self.gpt2, Self.gpt2Batch(), [.logProbs, .entropy, .values, .logits])
    }
    func testLlamaRewardHead() throws { try checkReward(Self.llama, Self.llamaBatch(), perToken: false) }
    func testLlamaRewardAndTokenScores() throws { try checkReward(Self.llama, Self.llamaBatch(), perToken: true) }
    func testGPT2RewardHead() throws { try checkReward(Self.gpt2, Self.gpt2Batch(), perToken: false) }

    private func checkPolicy(_ config: TransformerConfig, _ batch: TokenBatch, _ terms: Terms) throws {
        let lm = CausalLM(config: config)
        lm.parameters.initializeRandom(seed: 11, std: 0.3)
        let head = lm.attachValueHead()
        head.parameters.initializeRandom(seed: 5, std: 0.3)
        head.parameters.value("bias")[0] = 0.1
        let N = batch.batch * batch.length, V = config.vocabSize
        let targets = CausalLM.nextTokenTargets(batch)
        let T: Float = 0.7
        let a = FiniteDifference.weights(N, seed: 1), b = FiniteDifference.weights(N, seed: 2)
        let c = FiniteDifference.weights(N, seed: 3), d = FiniteDifference.weights(N * V, seed: 4).map { $0 * 0.1 }
        func loss(training: Bool) throws -> Double {
            let logits = try lm.forward(batch, training: training)
            var total = 0.0
            if terms.contains(.logits) { for i in 0..<(N * V) { total += Double(d[i] * logits[i]) } }
            let probs = try lm.tokenLogProbs(targets: targets, temperature: T, entropy: terms.contains(.entropy))
            for n in 0..<N {
                if terms.contains(.logProbs) { total += Double(a[n] * probs.logProbs[n]) }
                if terms.contains(.entropy) { total += Double(b[n] * probs.entropy![n]) }
            }
            if terms.contains(.values) { total += zip(c, try lm.values()).map { Double($0 * $1) }.reduce(0, +) }
            return total
        }
        _ = try loss(training: true)
        try lm.backward(PolicyGradients(targets: targets, logProbs: terms.contains(.logProbs) ? a : nil,
                                        entropy: terms.contains(.entropy) ? b : nil, temperature: T,
                                        logits: terms.contains(.logits) ? d : nil,
                                        values: terms.contains(.values) ? c : nil))
        var stores = [("trunk", lm.parameters)]
        if terms.contains(.values) { stores.append(("value_head", head.parameters)) }
        // values alone never reach an untied LM head
        let unreached: Set<String> = terms == [.values] && !config.tiedEmbeddings ? ["lm_head.weight"] : []
        let checked = try FiniteDifference.check(stores, unreached: unreached, "\(config.architecture) \(terms)") {
            try loss(training: false)
        }
        XCTAssertGreaterThan(checked, 3 * (lm.parameters.specs.count - unreached.count) - 1)
        if !terms.contains(.values) { XCTAssertNil(head.parameters.gradients, "no value gradient, no value-head gradients") }
    }

    private func checkReward(_ config: TransformerConfig, _ batch: TokenBatch, perToken: Bool) throws {
        // pad id 0 marks row ends for the left-padded Llama batch too: its rows end with real tokens
        let model = SequenceClassifier(config: config, padTokenID: 0)
        model.parameters.initializeRandom(seed: 13, std: 0.3)
        model.head.parameters.initializeRandom(seed: 17, std: 0.3)
        let B = batch.batch, N = B * batch.length
        let r = FiniteDifference.weights(B, seed: 8), s = FiniteDifference.weights(N, seed: 9)
        func loss(training: Bool) throws -> Double {
            let scores = try model.tokenScores(batch, training: training)
            let rewards = try model.rewards(batch, training: training)
            var total = zip(r, rewards).map { Double($0 * $1) }.reduce(0, +)
            if perToken { total += zip(s, scores).map { Double($0 * $1) }.reduce(0, +) }
            return total
        }
        _ = try loss(training: true)
        try model.backward(rewards: r, tokenScores: perToken ? s : nil)
        try FiniteDifference.check([("trunk", model.parameters), ("score", model.head.parameters)],
                               "\(config.architecture) reward perToken=\(perToken)") { try loss(training: false) }
        XCTAssertEqual(model.readPositions(batch), batch.mask == nil ? [batch.length - 1, batch.length - 1] : [5, 5])
    }
}
