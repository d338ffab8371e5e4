import Foundation
@testable import Tensor
import TestSupport
import XCTest

/// Runs `body` under every instruction set this CPU supports (the portable one always), restoring the
/// active set afterwards, so each kernel variant is checked against the same reference.
func forEachInstructionSet(_ body: (InstructionSet) throws -> Void) rethrows {
    for isa in InstructionSet.supported { try InstructionSet.with(isa) { try body(isa) } }
}

/// The run-time choice of kernel variant.
final class InstructionSetTests: XCTestCase {
    func testGenericIsAlwaysSupportedAndSelectionRestores() {
        XCTAssertTrue(InstructionSet.generic.isSupported)
        XCTAssertEqual(InstructionSet.supported.first, .generic)
        let before = InstructionSet.active
        XCTAssertTrue(InstructionSet.active.isSupported)
        for isa in InstructionSet.supported {
            InstructionSet.with(isa) { XCTAssertEqual(InstructionSet.active, isa) }
            XCTAssertEqual(InstructionSet.active, before)
        }
        XCTAssertEqual(InstructionSet.allCases.map(\.description), ["generic", "avx2", "avx512"])
    }

    /// On x86_64 the best supported set is the default unless RLHF_ISA names another one.
    func testDefaultIsTheBestSupportedSetUnlessOverridden() {
        let requested = ProcessInfo.processInfo.environment["RLHF_ISA"] ?? ""
        if let forced = InstructionSet.allCases.first(where: { $0.description == requested }), forced.isSupported {
            XCTAssertEqual(InstructionSet.active, forced)
        } else {
            XCTAssertEqual(InstructionSet.active, InstructionSet.supported.last)
        }
    }
}

/// Element-wise kernels under every instruction set, against straightforward Double references, on
/// lengths that leave a partial vector.
final class InstructionSetElementwiseTests: KernelTestCase {
    let count = 1037

    func testAddScaleAndSumOfSquares() {
        var rng = SeededGenerator(seed: 71)
        let a = rng.floats(count, in: -3...3), b = rng.floats(count, in: -3...3)
        forEachInstructionSet { isa in
            let out = buffer(count: count)
            CPUKernels.add(out: out.pointer, buffer(a).pointer, buffer(b).pointer, count: count)
            assertClose(Array(out.pointer, count), (0..<count).map { Double(a[$0]) + Double(b[$0]) }, absolute: 1e-6,
                        "add \(isa)")
            let x = buffer(a)
            CPUKernels.scale(x.pointer, count: count, by: 0.37)
            assertClose(Array(x.pointer, count), a.map { Double($0) * Double(Float(0.37)) }, absolute: 1e-6,
                        relative: 1e-6, "scale \(isa)")
            let sum = CPUKernels.sumOfSquares(buffer(a).pointer, count: count)
            let exact = a.reduce(0.0) { $0 + Double($1) * Double($1) }
            XCTAssertEqual(sum, exact, accuracy: 1e-9 * exact, "sumOfSquares \(isa)")
        }
    }

    func testGELU() {
        var rng = SeededGenerator(seed: 72)
        let x = rng.floats(count, in: -7...7), d = rng.floats(count)
        let k = (2 / Double.pi).squareRoot()
        let forward = x.map { v -> Double in let x = Double(v); return 0.5 * x * (1 + tanh(k * (x + 0.044715 * x * x * x))) }
        let backward = (0..<count).map { i -> Double in
            let x = Double(x[i]), t = tanh(k * (x + 0.044715 * x * x * x))
            return (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)) * Double(d[i])
        }
        forEachInstructionSet { isa in
            let out = buffer(count: count), dIn = buffer(count: count)
            CPUKernels.geluForward(out: out.pointer, input: buffer(x).pointer, count: count)
            CPUKernels.geluBackward(dInput: dIn.pointer, dOut: buffer(d).pointer, input: buffer(x).pointer, count: count)
            assertClose(Array(out.pointer, count), forward, absolute: 1e-6, relative: 1e-5, "gelu \(isa)")
            assertClose(Array(dIn.pointer, count), backward, absolute: 1e-6, relative: 1e-5, "gelu' \(isa)")
        }
    }

    func testSwiGLU() {
        let N = 3, F = 37
        var rng = SeededGenerator(seed: 73)
        let gateUp = rng.floats(N * 2 * F, in: -6...6), d = rng.floats(N * F)
        var forward = [Double](), backward = [Double](repeating: 0, count: N * 2 * F)
        for n in 0..<N {
            for i in 0..<F {
                let g = Double(gateUp[n * 2 * F + i]), u = Double(gateUp[n * 2 * F + F + i]), dy = Double(d[n * F + i])
                let s = 1 / (1 + exp(-g))
                forward.append(g * s * u)
                backward[n * 2 * F + i] = dy * u * (s + g * s * (1 - s))
                backward[n * 2 * F + F + i] = dy * g * s
            }
        }
        forEachInstructionSet { isa in
            let out = buffer(count: N * F), dGateUp = buffer(count: N * 2 * F)
            CPUKernels.swigluForward(out: out.pointer, gateUp: buffer(gateUp).pointer, rows: N, hidden: F)
            CPUKernels.swigluBackward(dGateUp: dGateUp.pointer, dOut: buffer(d).pointer, gateUp: buffer(gateUp).pointer,
                                      rows: N, hidden: F)
            assertClose(Array(out.pointer, N * F), forward, absolute: 1e-6, relative: 1e-5, "swiglu \(isa)")
            assertClose(Array(dGateUp.pointer, N * 2 * F), backward, absolute: 1e-6, relative: 1e-5, "swiglu' \(isa)")
        }
    }

    /// Every set gives the bits of the scalar formula in PyTorch's order (no FMA contraction anywhere).
    func testAdamWGivesTheSameBitsEverywhere() {
        var rng = SeededGenerator(seed: 74)
        let p = rng.floats(count), g = rng.floats(count), m = rng.floats(count, in: -0.1...0.1)
        let v = rng.floats(count, in: 0...0.01)
        let s = AdamWScalars(t: 3, lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1)
        var wantP = p, wantM = m, wantV = v
        for i in 0..<count {
            var pi = wantP[i] * s.decayFactor
            let mi = wantM[i] + s.oneMinusBeta1 * (g[i] - wantM[i])
            let vi = wantV[i] * s.beta2 + s.oneMinusBeta2 * g[i] * g[i]
            let denominator = vi.squareRoot() / s.biasCorrection2Sqrt + s.epsilon
            pi = pi + s.negativeStepSize * (mi / denominator)
            wantP[i] = pi; wantM[i] = mi; wantV[i] = vi
        }
        forEachInstructionSet { isa in
            let bp = buffer(p), bm = buffer(m), bv = buffer(v)
            CPUKernels.adamWStep(parameters: bp.pointer, gradients: buffer(g).pointer, firstMoment: bm.pointer,
                                 secondMoment: bv.pointer, count: count,
                                 segments: [OptimizerSegment(range: 0..<count, scalarsIndex: 0)], scalars: [s])
            XCTAssertEqual(Array(bp.pointer, count), wantP, "p \(isa)")
            XCTAssertEqual(Array(bm.pointer, count), wantM, "m \(isa)")
            XCTAssertEqual(Array(bv.pointer, count), wantV, "v \(isa)")
        }
    }
}

extension Array where Element == Float {
    /// The `count` floats at `pointer`.
    init(_ pointer: FloatPointer, _ count: Int) { self.init(UnsafeBufferPointer(start: pointer, count: count)) }
}
