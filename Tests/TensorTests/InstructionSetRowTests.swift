import Foundation
@testable import Tensor
import TestSupport
import XCTest

/// Norms, RoPE and embeddings under every instruction set, against Double references, with channel counts
/// that leave a partial vector.
final class InstructionSetRowTests: KernelTestCase {
    let N = 3, C = 45

    func testLayerNorm() {
        var rng = SeededGenerator(seed: 81)
        let x = rng.floats(N * C, in: -2...3), w = rng.floats(C), b = rng.floats(C), d = rng.floats(N * C)
        let eps: Float = 1e-5
        var y = [Double](), dx = [Double](), dw = [Double](repeating: 0, count: C), db = dw
        for n in 0..<N {
            let row = (0..<C).map { Double(x[n * C + $0]) }
            let mean = row.reduce(0, +) / Double(C)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(C)
            let rstd = 1 / (variance + Double(eps)).squareRoot()
            let xhat = row.map { ($0 - mean) * rstd }
            let g = (0..<C).map { Double(d[n * C + $0]) * Double(w[$0]) }
            let meanG = g.reduce(0, +) / Double(C)
            let meanGX = (0..<C).map { g[$0] * xhat[$0] }.reduce(0, +) / Double(C)
            for c in 0..<C {
                y.append(xhat[c] * Double(w[c]) + Double(b[c]))
                dx.append(0.5 + (g[c] - meanG - xhat[c] * meanGX) * rstd)  // accumulates onto 0.5
                dw[c] += Double(d[n * C + c]) * xhat[c]
                db[c] += Double(d[n * C + c])
            }
        }
        forEachInstructionSet { isa in
            let out = buffer(count: N * C), mean = buffer(count: N), rstd = buffer(count: N)
            CPUKernels.layerNormForward(out: out.pointer, mean: mean.pointer, rstd: rstd.pointer, input: buffer(x).pointer,
                                        weight: buffer(w).pointer, bias: buffer(b).pointer, rows: N, channels: C, eps: eps)
            assertClose(Array(out.pointer, N * C), y, absolute: 1e-5, relative: 1e-5, "layerNorm \(isa)")
            let dIn = buffer([Float](repeating: 0.5, count: N * C)), dW = buffer(count: C), dB = buffer(count: C)
            CPUKernels.layerNormBackward(dInput: dIn.pointer, dWeight: dW.pointer, dBias: dB.pointer,
                                         dOut: buffer(d).pointer, input: buffer(x).pointer, weight: buffer(w).pointer,
                                         mean: mean.pointer, rstd: rstd.pointer, rows: N, channels: C)
            assertClose(Array(dIn.pointer, N * C), dx, absolute: 1e-5, relative: 1e-5, "layerNorm dx \(isa)")
            assertClose(Array(dW.pointer, C), dw, absolute: 1e-5, relative: 1e-5, "layerNorm dw \(isa)")
            assertClose(Array(dB.pointer, C), db, absolute: 1e-5, relative: 1e-5, "layerNorm db \(isa)")
        }
    }

    func testRMSNorm() {
        var rng = SeededGenerator(seed: 82)
        let x = rng.floats(N * C, in: -2...3), w = rng.floats(C), d = rng.floats(N * C)
        let eps: Float = 1e-6
        var y = [Double](), dx = [Double](), dw = [Double](repeating: 0, count: C)
        for n in 0..<N {
            let row = (0..<C).map { Double(x[n * C + $0]) }
            let rstd = 1 / (row.map { $0 * $0 }.reduce(0, +) / Double(C) + Double(eps)).squareRoot()
            let dot = (0..<C).map { Double(d[n * C + $0]) * Double(w[$0]) * row[$0] }.reduce(0, +)
            for c in 0..<C {
                let dy = Double(d[n * C + c])
                y.append(Double(w[c]) * row[c] * rstd)
                dx.append(0.5 + dy * Double(w[c]) * rstd - row[c] * rstd * rstd * rstd * dot / Double(C))
                dw[c] += dy * row[c] * rstd
            }
        }
        forEachInstructionSet { isa in
            let out = buffer(count: N * C), rstd = buffer(count: N)
            CPUKernels.rmsNormForward(out: out.pointer, rstd: rstd.pointer, input: buffer(x).pointer,
                                      weight: buffer(w).pointer, rows: N, channels: C, eps: eps)
            assertClose(Array(out.pointer, N * C), y, absolute: 1e-5, relative: 1e-5, "rmsNorm \(isa)")
            let dIn = buffer([Float](repeating: 0.5, count: N * C)), dW = buffer(count: C)
            CPUKernels.rmsNormBackward(dInput: dIn.pointer, dWeight: dW.pointer, dOut: buffer(d).pointer,
                                       input: buffer(x).pointer, weight: buffer(w).pointer, rstd: rstd.pointer,
                                       rows: N, channels: C)
            assertClose(Array(dIn.pointer, N * C), dx, absolute: 1e-5, relative: 1e-5, "rmsNorm dx \(isa)")
            assertClose(Array(dW.pointer, C), dw, absolute: 1e-5, relative: 1e-5, "rmsNorm dw \(isa)")
        }
    }

    /// D = 18 leaves 9 pairs per head: one partial vector; two heads in rows of stride 40.
    func testRoPEBothDirections() {
        let D = 18, heads = 2, stride = 40, half = D / 2
        let table = RotaryTable(headDim: D, base: 10_000, maxPositions: 32)
        var rng = SeededGenerator(seed: 83)
        let x = rng.floats(N * stride), positions: [Int32] = [0, 7, 31]
        for inverse in [false, true] {
            var want = x.map(Double.init)
            for n in 0..<N {
                for h in 0..<heads {
                    for i in 0..<half {
                        let c = Double(table.cos.pointer[Int(positions[n]) * half + i])
                        let s = Double(table.sin.pointer[Int(positions[n]) * half + i]) * (inverse ? -1 : 1)
                        let a = Double(x[n * stride + h * D + i]), b = Double(x[n * stride + h * D + half + i])
                        want[n * stride + h * D + i] = a * c - b * s
                        want[n * stride + h * D + half + i] = b * c + a * s
                    }
                }
            }
            forEachInstructionSet { isa in
                let rotated = buffer(x)
                withTokens(positions) {
                    CPUKernels.rope(rotated.pointer, positions: $0, table: table, rows: N, heads: heads, headDim: D,
                                    rowStride: stride, inverse: inverse)
                }
                assertClose(Array(rotated.pointer, N * stride), want, absolute: 1e-6, "rope inverse=\(inverse) \(isa)")
            }
        }
    }

    func testEmbeddingForwardAndScatter() {
        let V = 5
        var rng = SeededGenerator(seed: 84)
        let table = rng.floats(V * C), base = rng.floats(N * C), d = rng.floats(N * C)
        let ids: [Int32] = [3, 1, 3]
        forEachInstructionSet { isa in
            for accumulate in [false, true] {
                let out = buffer(base)
                withTokens(ids) {
                    CPUKernels.embeddingForward(out: out.pointer, ids: $0, table: buffer(table).pointer, rows: N,
                                                channels: C, accumulate: accumulate)
                }
                let want = (0..<(N * C)).map { i in
                    Double(table[Int(ids[i / C]) * C + i % C]) + (accumulate ? Double(base[i]) : 0)
                }
                assertClose(Array(out.pointer, N * C), want, absolute: 1e-6, "embedding accumulate=\(accumulate) \(isa)")
            }
            let dTable = buffer(count: V * C)
            withTokens(ids) {
                CPUKernels.embeddingBackward(dTable: dTable.pointer, dOut: buffer(d).pointer, ids: $0, rows: N, channels: C)
            }
            var want = [Double](repeating: 0, count: V * C)
            for n in 0..<N { for c in 0..<C { want[Int(ids[n]) * C + c] += Double(d[n * C + c]) } }
            assertClose(Array(dTable.pointer, V * C), want, absolute: 1e-6, "embedding scatter \(isa)")
        }
    }
}
