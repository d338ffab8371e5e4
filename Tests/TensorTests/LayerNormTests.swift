@testable import Tensor
import TestSupport
import XCTest

/// LayerNorm forward against a Double reference, backward against finite differences of that reference.
final class LayerNormTests: KernelTestCase {
    static let eps: Float = 1e-5

    /// out[N,C], mean[N], rstd[N] in Double: biased variance, rstd = 1/sqrt(var + eps).
    static func reference(_ x: [Double], _ w: [Double], _ b: [Double], rows N: Int, channels C: Int)
        -> (out: [Double], mean: [Double], rstd: [Double]) {
        var out = [Double](repeating: 0, count: N * C), means = [Double](), rstds = [Double]()
        for n in 0..<N {
            let row = x[n * C..<(n + 1) * C]
            let mean = row.reduce(0, +) / Double(C)
            let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(C)
            let rstd = 1 / (variance + Double(eps)).squareRoot()
            for c in 0..<C { out[n * C + c] = (x[n * C + c] - mean) * rstd * w[c] + b[c] }
            means.append(mean); rstds.append(rstd)
        }
        return (out, means, rstds)
    }

    /// Random inputs with a row offset (so centring matters), weights around 1, small biases.
    private func inputs(seed: UInt64, rows N: Int, channels C: Int) -> (x: [Float], w: [Float], b: [Float]) {
        var rng = SeededGenerator(seed: seed)
        let offsets = rng.floats(N, in: -3...3)
        let x = (0..<N * C).map { offsets[$0 / C] + Float.random(in: -2...2, using: &rng) }
        return (x, rng.floats(C, in: 0.5...1.5), rng.floats(C, in: -0.5...0.5))
    }

    private func checkForward(rows N: Int, channels C: Int, seed: UInt64) {
        let (x, w, b) = inputs(seed: seed, rows: N, channels: C)
        let out = buffer(count: N * C), mean = buffer(count: N), rstd = buffer(count: N)
        CPUKernels.layerNormForward(out: out.pointer, mean: mean.pointer, rstd: rstd.pointer, input: buffer(x).pointer,
                                    weight: buffer(w).pointer, bias: buffer(b).pointer, rows: N, channels: C,
                                    eps: Self.eps)
        let expected = Self.reference(x.doubles, w.doubles, b.doubles, rows: N, channels: C)
        assertClose(out.array, expected.out, absolute: 2e-6, relative: 2e-6, "out \(N)x\(C)")
        assertClose(mean.array, expected.mean, absolute: 1e-6, relative: 1e-6, "mean \(N)x\(C)")
        assertClose(rstd.array, expected.rstd, absolute: 0, relative: 1e-6, "rstd \(N)x\(C)")
    }

    func testForwardSmall() { checkForward(rows: 3, channels: 37, seed: 40) }
    func testForwardParallelGPT2Width() { checkForward(rows: 64, channels: 768, seed: 41) }

    /// Runs the backward kernel onto non-zero dInput/dWeight/dBias and checks each sampled coordinate
    /// against prior + central difference of Σ dOut·out.
    private func checkBackward(rows N: Int, channels C: Int, seed: UInt64, inputSamples: [Int]) {
        let (x, w, b) = inputs(seed: seed, rows: N, channels: C)
        var rng = SeededGenerator(seed: seed + 1000)
        let dOut = rng.floats(N * C)
        let priorInput = rng.floats(N * C), priorWeight = rng.floats(C), priorBias = rng.floats(C)
        let mean = buffer(count: N), rstd = buffer(count: N), out = buffer(count: N * C)
        CPUKernels.layerNormForward(out: out.pointer, mean: mean.pointer, rstd: rstd.pointer, input: buffer(x).pointer,
                                    weight: buffer(w).pointer, bias: buffer(b).pointer, rows: N, channels: C,
                                    eps: Self.eps)
        let dInput = buffer(priorInput), dWeight = buffer(priorWeight), dBias = buffer(priorBias)
        CPUKernels.layerNormBackward(dInput: dInput.pointer, dWeight: dWeight.pointer, dBias: dBias.pointer,
                                     dOut: buffer(dOut).pointer, input: buffer(x).pointer, weight: buffer(w).pointer,
                                     mean: mean.pointer, rstd: rstd.pointer, rows: N, channels: C)

        let xd = x.doubles, wd = w.doubles, bd = b.doubles, dOutD = dOut.doubles
        let inputGrad = inputSamples.map { i in
            Double(priorInput[i]) + FiniteDifference.derivative(xd, at: i) {
                dot(dOutD, Self.reference($0, wd, bd, rows: N, channels: C).out)
            }
        }
        assertClose(inputSamples.map { dInput.array[$0] }, inputGrad, absolute: 2e-5, relative: 1e-5, "dInput +=")
        let weightGrad = (0..<C).map { c in
            Double(priorWeight[c]) + FiniteDifference.derivative(wd, at: c) {
                dot(dOutD, Self.reference(xd, $0, bd, rows: N, channels: C).out)
            }
        }
        assertClose(dWeight.array, weightGrad, absolute: 2e-5, relative: 1e-5, "dWeight +=")
        let biasGrad = (0..<C).map { c in
            Double(priorBias[c]) + FiniteDifference.derivative(bd, at: c) {
                dot(dOutD, Self.reference(xd, wd, $0, rows: N, channels: C).out)
            }
        }
        assertClose(dBias.array, biasGrad, absolute: 2e-5, relative: 1e-5, "dBias +=")
    }

    func testBackwardSmallAllCoordinates() {
        checkBackward(rows: 3, channels: 37, seed: 42, inputSamples: Array(0..<3 * 37))
    }

    func testBackwardParallelSampledCoordinates() {
        // 64·203 rows·channels is above the parallel threshold: per-worker partials are exercised
        var rng = SeededGenerator(seed: 43)
        let samples = (0..<60).map { _ in Int.random(in: 0..<64 * 203, using: &rng) }
        checkBackward(rows: 64, channels: 203, seed: 44, inputSamples: samples)
    }
}
