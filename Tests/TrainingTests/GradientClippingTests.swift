import Foundation
import Models
import Tensor
@testable import Training
import XCTest

final class GradientClippingTests: XCTestCase {
    /// Gradients (3, 4) and (12): the norm is √(9 + 16 + 144) = 13.
    private func store13() -> ParameterStore {
        let store = ParameterStore(specs: [("w", [2, 1], .matrix), ("b", [1], .vector)], backend: CPUBackend.shared)
        store.enableGradients()
        store.setGradients("w", [3, 4]); store.setGradients("b", [12])
        return store
    }

    func testClipsToMaxNormAndReturnsTheNormBefore() {
        let store = store13()
        let norm = GradientClipping.clipGlobalNorm(of: store, maxNorm: 1.3)
        XCTAssertEqual(norm, 13, accuracy: 1e-9)
        let coefficient = 1.3 / (13 + 1e-6)
        XCTAssertEqual(Double(store.gradient("w")[0]), 3 * coefficient, accuracy: 1e-7)
        XCTAssertEqual(Double(store.gradient("w")[1]), 4 * coefficient, accuracy: 1e-7)
        XCTAssertEqual(Double(store.gradient("b")[0]), 12 * coefficient, accuracy: 1e-7)
        XCTAssertEqual(GradientClipping.globalNorm(of: store), 1.3, accuracy: 1e-6)
    }

    func testLeavesGradientsUnderTheLimitUntouched() {
        let store = store13()
        let before = store.gradients!.array
        XCTAssertEqual(GradientClipping.clipGlobalNorm(of: store, maxNorm: 100), 13, accuracy: 1e-9)
        XCTAssertEqual(store.gradients!.array, before)
    }

    func testNormOfALargeStoreIsTheSquareRootOfTheSumOfSquares() {
        let store = ParameterStore(specs: [("a", [333, 301], .matrix), ("b", [77], .vector), ("c", [9, 1003], .embedding)],
                                   backend: CPUBackend.shared)
        store.enableGradients()
        var numbers = TestNumbers(state: 7)
        var sumOfSquares = 0.0
        for name in ["a", "b", "c"] {
            let g = (0..<store.spec(named: name)!.count).map { _ in Double(Float(numbers.next())) }
            store.setGradients(name, g)
            sumOfSquares += g.reduce(0) { $0 + $1 * $1 }
        }
        let expected = sumOfSquares.squareRoot()
        XCTAssertEqual(GradientClipping.clipGlobalNorm(of: store, maxNorm: 2.5), expected, accuracy: expected * 1e-12)
        XCTAssertEqual(GradientClipping.globalNorm(of: store), 2.5, accuracy: 2.5 * 1e-6)
    }
}
