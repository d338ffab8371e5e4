import Foundation
@testable import Tensor
import TestSupport
import XCTest

/// SwiGLU forward and backward against silu(gate)·up in Double.
final class SwiGLUTests: KernelTestCase {
    /// silu(g)·u with silu(g) = g / (1 + e^(−g)).
    static func swiglu(_ g: Double, _ u: Double) -> Double { g / (1 + Foundation.exp(-g)) * u }

    // N·F above the parallel threshold, F not a multiple of 8
    let N = 40, F = 77

    func testForwardMatchesReference() {
        var rng = SeededGenerator(seed: 30)
        let gateUp = rng.floats(N * 2 * F, in: -10...10)
        let out = buffer(count: N * F)
        CPUKernels.swigluForward(out: out.pointer, gateUp: buffer(gateUp).pointer, rows: N, hidden: F)
        var expected = [Double]()
        for n in 0..<N {
            for f in 0..<F { expected.append(Self.swiglu(Double(gateUp[n * 2 * F + f]), Double(gateUp[n * 2 * F + F + f]))) }
        }
        assertClose(out.array, expected, absolute: 1e-6, relative: 5e-7, "swiglu")
    }

    /// The gradients d(Σ dOut·out)/d gateUp by central differences on the Double reference.
    private func numericGradient(gateUp: [Float], dOut: [Float]) -> [Double] {
        var expected = [Double](repeating: 0, count: N * 2 * F)
        for n in 0..<N {
            for f in 0..<F {
                let g = n * 2 * F + f, u = g + F, d = Double(dOut[n * F + f])
                let pair = [Double(gateUp[g]), Double(gateUp[u])]
                expected[g] = d * FiniteDifference.derivative(pair, at: 0) { Self.swiglu($0[0], $0[1]) }
                expected[u] = d * FiniteDifference.derivative(pair, at: 1) { Self.swiglu($0[0], $0[1]) }
            }
        }
        return expected
    }

    func testBackwardMatchesFiniteDifferences() {
        var rng = SeededGenerator(seed: 31)
        let gateUp = rng.floats(N * 2 * F, in: -6...6), dOut = rng.floats(N * F)
        let dGateUp = buffer(rng.floats(N * 2 * F))  // garbage that must be overwritten
        CPUKernels.swigluBackward(dGateUp: dGateUp.pointer, dOut: buffer(dOut).pointer,
                                  gateUp: buffer(gateUp).pointer, rows: N, hidden: F)
        assertClose(dGateUp.array, numericGradient(gateUp: gateUp, dOut: dOut),
                    absolute: 1e-6, relative: 1e-5, "dGateUp =")
    }

    func testBackwardWithDOutInsideDGateUp() {
        var rng = SeededGenerator(seed: 32)
        let gateUp = rng.floats(N * 2 * F, in: -6...6), dOut = rng.floats(N * F)
        // dOut stored at the start of the dGateUp buffer, which the kernel then overwrites
        let shared = buffer(count: N * 2 * F)
        shared.pointer.update(from: dOut, count: N * F)
        CPUKernels.swigluBackward(dGateUp: shared.pointer, dOut: shared.pointer, gateUp: buffer(gateUp).pointer,
                                  rows: N, hidden: F)
        assertClose(shared.array, numericGradient(gateUp: gateUp, dOut: dOut),
                    absolute: 1e-6, relative: 1e-5, "dGateUp over dOut")
    }
}
