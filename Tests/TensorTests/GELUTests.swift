import Foundation
@testable import Tensor
import TestSupport
import XCTest

/// tanh-GELU forward and backward against the GPT-2 `gelu_new` formula in Double.
final class GELUTests: KernelTestCase {
    /// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
    static func gelu(_ x: Double) -> Double {
        0.5 * x * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
    }

    // above the parallel threshold and not a multiple of 8
    let count = 5003

    func testForwardMatchesReference() {
        var rng = SeededGenerator(seed: 20)
        let x = rng.floats(count, in: -8...8) + [0, -30, 30, -1e-3, 1e-3]
        let out = buffer(count: x.count)
        CPUKernels.geluForward(out: out.pointer, input: buffer(x).pointer, count: x.count)
        assertClose(out.array, x.map { Self.gelu(Double($0)) }, absolute: 2e-7, relative: 5e-7, "gelu")
    }

    func testBackwardMatchesFiniteDifferences() {
        var rng = SeededGenerator(seed: 21)
        let x = rng.floats(count, in: -6...6), dOut = rng.floats(count)
        let dInput = buffer(rng.floats(count))  // garbage that must be overwritten
        CPUKernels.geluBackward(dInput: dInput.pointer, dOut: buffer(dOut).pointer, input: buffer(x).pointer,
                                count: count)
        let expected = (0..<count).map { i in
            Double(dOut[i]) * FiniteDifference.derivative([Double(x[i])], at: 0) { Self.gelu($0[0]) }
        }
        assertClose(dInput.array, expected, absolute: 1e-6, relative: 1e-5, "dInput =")
    }

    func testBackwardInPlaceOverDOut() {
        var rng = SeededGenerator(seed: 22)
        let x = rng.floats(1001, in: -4...4), dOut = rng.floats(1001)
        let separate = buffer(count: x.count), shared = buffer(dOut)
        CPUKernels.geluBackward(dInput: separate.pointer, dOut: buffer(dOut).pointer, input: buffer(x).pointer,
                                count: x.count)
        CPUKernels.geluBackward(dInput: shared.pointer, dOut: shared.pointer, input: buffer(x).pointer, count: x.count)
        let expected = (0..<x.count).map { i in
            Double(dOut[i]) * FiniteDifference.derivative([Double(x[i])], at: 0) { Self.gelu($0[0]) }
        }
        assertClose(shared.array, expected, absolute: 1e-6, relative: 1e-5, "dInput aliasing dOut")
        XCTAssertEqual(shared.array, separate.array)
    }
}
