import Models
import Tensor
import XCTest

/// Each wrong use of the public model API throws its typed error (never a trap), one test per case.
final class ModelBadInputTests: XCTestCase {
    override func setUp() { Runtime.configure(threads: 2) }

    static let config = TransformerConfig(architecture: .gpt2, vocabSize: 31, maxPositions: 8, layers: 1, width: 8, heads: 2)
    var lm: CausalLM!
    var batch: TokenBatch!

    override func setUpWithError() throws {
        lm = CausalLM(config: Self.config)
        lm.parameters.initializeRandom(seed: 1)
        batch = try TokenBatch(ids: [[1, 2, 3], [4, 5, 6]])
    }

    private func assertThrows(_ expected: ModelInputError, _ body: () throws -> Void,
                              file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) {
            XCTAssertEqual($0 as? ModelInputError, expected, file: file, line: line)
        }
    }

    func testBackwardWithoutForward() {
        assertThrows(.outOfOrder(call: "backward", needed: "forward(training: true)")) { try lm.backward() }
    }

    func testBackwardAfterAnInferenceForward() throws {
        try lm.forward(batch)
        assertThrows(.outOfOrder(call: "backward", needed: "forward(training: true)")) {
            try lm.backward(PolicyGradients(entropy: [Float](repeating: 1, count: 6)))
        }
    }

    func testLossBeforeForward() {
        assertThrows(.outOfOrder(call: "nextTokenLoss", needed: "forward")) { _ = try lm.nextTokenLoss() }
    }

    func testBackwardBeforeAnyLoss() throws {
        try lm.forward(batch, training: true)
        assertThrows(.outOfOrder(call: "backward", needed: "a loss on the last forward")) { try lm.backward() }
    }

    func testLogProbGradientOfTheWrongLength() throws {
        try lm.forward(batch, training: true)
        assertThrows(.lengthMismatch(what: "logProbs gradient", expected: 6, got: 5)) {
            try lm.backward(PolicyGradients(targets: [Int32](repeating: 1, count: 6), logProbs: [Float](repeating: 1, count: 5)))
        }
    }

    func testLogitGradientOfTheWrongLength() throws {
        try lm.forward(batch, training: true)
        assertThrows(.lengthMismatch(what: "logits gradient", expected: 6 * 31, got: 6)) {
            try lm.backward(PolicyGradients(logits: [Float](repeating: 1, count: 6)))
        }
    }

    func testTargetsOfTheWrongLength() throws {
        try lm.forward(batch)
        assertThrows(.lengthMismatch(what: "targets", expected: 6, got: 2)) { _ = try lm.tokenLogProbs(targets: [1, 2]) }
    }

    func testTargetOutsideTheVocabulary() throws {
        try lm.forward(batch)
        assertThrows(.tokenOutOfRange(id: 31, vocabSize: 31, index: 2)) {
            _ = try lm.tokenLogProbs(targets: [1, 2, 31, 0, 0, 0])
        }
    }

    func testTokenIDOutsideTheVocabulary() throws {
        assertThrows(.tokenOutOfRange(id: 40, vocabSize: 31, index: 1)) { try lm.forward(try TokenBatch(ids: [[1, 40]])) }
    }

    func testPositionPastTheModel() throws {
        assertThrows(.positionOutOfRange(position: 9, maxPositions: 8, index: 1)) {
            try lm.forward(try TokenBatch(ids: [[1, 2]], positions: [[0, 9]], mask: nil))
        }
    }

    func testIDThatDoesNotFitInt32() {
        assertThrows(.valueTooLarge(what: "token id", value: 1 << 40, index: 1)) { _ = try TokenBatch(ids: [[1, 1 << 40]]) }
    }

    func testRaggedRows() {
        assertThrows(.shapeMismatch("rows have different lengths [2, 1]")) { _ = try TokenBatch(ids: [[1, 2], [3]]) }
    }

    func testEmptyBatch() {
        assertThrows(.empty) { _ = try TokenBatch(ids: []) }
    }

    func testValuesWithoutAValueHead() throws {
        try lm.forward(batch)
        assertThrows(.missingHead("value head (attachValueHead)")) { _ = try lm.values() }
    }

    func testValueGradientWithoutAValueHead() throws {
        try lm.forward(batch, training: true)
        assertThrows(.missingHead("value head (attachValueHead)")) {
            try lm.backward(PolicyGradients(values: [Float](repeating: 1, count: 6)))
        }
    }

    func testNonPositiveTemperature() throws {
        try lm.forward(batch)
        assertThrows(.invalidTemperature(0)) { _ = try lm.tokenLogProbs(targets: [Int32](repeating: 1, count: 6), temperature: 0) }
    }

    func testNaNTemperature() throws {
        try lm.forward(batch)
        XCTAssertThrowsError(try lm.tokenLogProbs(targets: [Int32](repeating: 1, count: 6), temperature: .nan))
    }

    func testBackwardThroughAFrozenModel() throws {
        lm.freeze()
        assertThrows(.frozen) { try lm.forward(batch, training: true) }
    }

    func testRewardGradientOfTheWrongLength() throws {
        let model = SequenceClassifier(config: Self.config, padTokenID: 0)
        _ = try model.rewards(batch, training: true)
        assertThrows(.lengthMismatch(what: "reward gradient", expected: 2, got: 3)) { try model.backward(rewards: [1, 1, 1]) }
    }

    func testClassifierBackwardWithoutForward() {
        let model = SequenceClassifier(config: Self.config, padTokenID: 0)
        assertThrows(.outOfOrder(call: "backward", needed: "forward(training: true)")) { try model.backward(rewards: [1]) }
    }

    func testCachedForwardWithTheWrongBatch() throws {
        let cache = KVCache(config: Self.config, batch: 3, capacity: 8)
        assertThrows(.shapeMismatch("batch of 2 rows for a cache of 3")) { _ = try lm.forwardCached(batch, cache: cache) }
    }

    func testCachedForwardPastTheCache() throws {
        let cache = KVCache(config: Self.config, batch: 2, capacity: 2)
        assertThrows(.shapeMismatch("3 tokens exceed the cache's 2")) { _ = try lm.forwardCached(batch, cache: cache) }
    }
}
