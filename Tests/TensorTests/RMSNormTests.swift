@testable import Tensor
import TestSupport
import XCTest

/// RMSNorm (Hugging Face Llama) forward against a Double reference, backward against finite differences.
final class RMSNormTests: KernelTestCase {
    static let eps: Float = 1e-6

    /// out[N,C] = w·(x·rstd), rstd[N] = 1/sqrt(mean(x²) + eps), in Double.
    static func reference(_ x: [Double], _ w: [Double], rows N: Int, channels C: Int) -> (out: [Double], rstd: [Double]) {
        var out = [Double](repeating: 0, count: N * C), rstds = [Double]()
        for n in 0..<N {
            let meanSquare = x[n * C..<(n + 1) * C].reduce(0) { $0 + $1 * $1 } / Double(C)
            let rstd = 1 / (meanSquare + Double(eps)).squareRoot()
            for c in 0..<C { out[n * C + c] = w[c] * (x[n * C + c] * rstd) }
            rstds.append(rstd)
        }
        return (out, rstds)
    }

    private func inputs(seed: UInt64, rows N: Int, channels C: Int) -> (x: [Float], w: [Float]) {
        var rng = SeededGenerator(seed: seed)
        return (rng.floats(N * C, in: -3...3), rng.floats(C, in: 0.5...1.5))
    }

    private func checkForward(rows N: Int, channels C: Int, seed: UInt64) {
        let (x, w) = inputs(seed: seed, rows: N, channels: C)
        let out = buffer(count: N * C), rstd = buffer(count: N)
        CPUKernels.rmsNormForward(out: out.pointer, rstd: rstd.pointer, input: buffer(x).pointer,
                                  weight: buffer(w).pointer, rows: N, channels: C, eps: Self.eps)
        let expected = Self.reference(x.doubles, w.doubles, rows: N, channels: C)
        assertClose(out.array, expected.out, absolute: 1e-6, relative: 1e-6, "out \(N)x\(C)")
        assertClose(rstd.array, expected.rstd, absolute: 0, relative: 1e-6, "rstd \(N)x\(C)")
    }

    func testForwardSmall() { checkForward(rows: 3, channels: 37, seed: 50) }
    func testForwardParallelLlamaWidth() { checkForward(rows: 32, channels: 2048, seed: 51) }

    private func checkBackward(rows N: Int, channels C: Int, seed: UInt64, inputSamples: [Int]) {
        let (x, w) = inputs(seed: seed, rows: N, channels: C)
        var rng = SeededGenerator(seed: seed + 1000)
        let dOut = rng.floats(N * C), priorInput = rng.floats(N * C), priorWeight = rng.floats(C)
        let out = buffer(count: N * C), rstd = buffer(count: N)
        CPUKernels.rmsNormForward(out: out.pointer, rstd: rstd.pointer, input: buffer(x).pointer,
                                  weight: buffer(w).pointer, rows: N, channels: C, eps: Self.eps)
        let dInput = buffer(priorInput), dWeight = buffer(priorWeight)
        CPUKernels.rmsNormBackward(dInput: dInput.pointer, dWeight: dWeight.pointer, dOut: buffer(dOut).pointer,
                                   input: buffer(x).pointer, weight: buffer(w).pointer, rstd: rstd.pointer,
                                   rows: N, channels: C)

        let xd = x.doubles, wd = w.doubles, dOutD = dOut.doubles
        let inputGrad = inputSamples.map { i in
            Double(priorInput[i]) + FiniteDifference.derivative(xd, at: i) {
                dot(dOutD, Self.reference($0, wd, rows: N, channels: C).out)
            }
        }
        assertClose(inputSamples.map { dInput.array[$0] }, inputGrad, absolute: 2e-5, relative: 1e-5, "dInput +=")
        let weightGrad = (0..<C).map { c in
            Double(priorWeight[c]) + FiniteDifference.derivative(wd, at: c) {
                dot(dOutD, Self.reference(xd, $0, rows: N, channels: C).out)
            }
        }
        assertClose(dWeight.array, weightGrad, absolute: 2e-5, relative: 1e-5, "dWeight +=")
    }

    func testBackwardSmallAllCoordinates() {
        checkBackward(rows: 3, channels: 37, seed: 52, inputSamples: Array(0..<3 * 37))
    }

    func testBackwardParallelSampledCoordinates() {
        var rng = SeededGenerator(seed: 53)
        let samples = (0..<60).map { _ in Int.random(in: 0..<64 * 203, using: &rng) }
        checkBackward(rows: 64, channels: 203, seed: 54, inputSamples: samples)
    }
}
