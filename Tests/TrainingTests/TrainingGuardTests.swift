import Foundation
import Models
import Tensor
@testable import Training
import XCTest

/// What a trainer refuses: optimizer state no run produces (NaN or infinite moments, a negative second
/// moment, a step count past any run), and a step whose loss or gradient is not finite, which leaves the
/// weights and moments as they were.
final class TrainingGuardTests: XCTestCase {
    private func store() -> ParameterStore {
        let store = ParameterStore(specs: [("w", [4], .matrix)], backend: CPUBackend.shared)
        store.enableGradients()
        store.setValues("w", [0.5, -1, 2, 0.25])
        return store
    }

    func testRestoreRefusesStateNoRunProduces() throws {
        let store = store()
        let optimizer = try AdamW(store: store)
        for (moments, index) in [([0, 0, .nan, 0, 0, 0, 0, 0], 2), ([0, 0, 0, 0, 0, .infinity, 0, 0], 5), ([0, 0, 0, 0, 0, 0, -1e-9, 0], 6)]
            as [([Float], Int)] {
            XCTAssertThrowsError(try moments.withUnsafeBufferPointer { try optimizer.restore(moments: $0, stepCount: 3) }) {
                guard case let .invalidState(group, bad, _)? = ($0 as? OptimizerError)?.code else { return XCTFail("\($0)") }
                XCTAssertEqual(group, 0)
                XCTAssertEqual(bad, index)
            }
        }
        // a negative first moment is fine; a step count past 2^40 is not
        let fine: [Float] = [-1, 0, 0, 0, 1, 0, 0, 0]
        XCTAssertNoThrow(try fine.withUnsafeBufferPointer { try optimizer.restore(moments: $0, stepCount: 3) })
        XCTAssertThrowsError(try fine.withUnsafeBufferPointer { try optimizer.restore(moments: $0, stepCount: Int.max) })
        XCTAssertEqual(optimizer.stepCount, 3, "a refused restore changed nothing")
    }

    func testANonFiniteStepIsNotTaken() throws {
        let model = CausalLM(config: SFTUpdateTests.config)
        model.parameters.initializeRandom(seed: 5, std: 0.3)
        let update = try SFTUpdate(model: model, optimizer: AdamWConfig())
        let batch = try SupervisedBatch([SupervisedTokens(prompt: [1, 2], response: [3, 4])], padID: 0)
        // NaN embeddings make the loss NaN: the step throws and the other weights do not move
        let embedding = model.parameters.specs[0]
        let before = model.parameters.values.array
        let w = model.parameters.value(embedding.name)
        for i in 0..<embedding.count { w[i] = .nan }
        XCTAssertThrowsError(try update.step(batch)) { XCTAssertTrue($0 is NonFiniteStepError, "\($0)") }
        XCTAssertEqual(Array(model.parameters.values.array.dropFirst(embedding.count)), Array(before.dropFirst(embedding.count)))
        XCTAssertEqual(update.optimizer.stepCount, 0)
    }
}
