@testable import Tensor
import TestSupport
import XCTest

/// Rotary embeddings ("rotate_half") against a Double reference built from the table's angles.
final class RoPETests: KernelTestCase {
    /// x rotated by positions (forward), in Double; row n starts at n·rowStride, `heads` vectors of D.
    static func reference(_ x: [Double], positions: [Int32], table: RotaryTable, rows N: Int, heads: Int,
                          headDim D: Int, rowStride: Int) -> [Double] {
        var y = x
        let half = D / 2
        for n in 0..<N {
            let p = Int(positions[n])
            for h in 0..<heads {
                let base = n * rowStride + h * D
                for i in 0..<half {
                    let c = Double(table.cos.pointer[p * half + i]), s = Double(table.sin.pointer[p * half + i])
                    y[base + i] = x[base + i] * c - x[base + i + half] * s
                    y[base + i + half] = x[base + i + half] * c + x[base + i] * s
                }
            }
        }
        return y
    }

    private func check(rows N: Int, heads: Int, headDim D: Int, seed: UInt64) {
        let table = RotaryTable(headDim: D, base: 10_000, maxPositions: 512)
        let rowStride = heads * D + 7  // 7 trailing floats per row that must stay untouched
        var rng = SeededGenerator(seed: seed)
        let x = rng.floats(N * rowStride, in: -2...2), positions = rng.ids(N, below: 512)
        let rotated = buffer(x)
        withTokens(positions) {
            CPUKernels.rope(rotated.pointer, positions: $0, table: table, rows: N, heads: heads, headDim: D,
                            rowStride: rowStride, inverse: false)
        }
        let expected = Self.reference(x.doubles, positions: positions, table: table, rows: N, heads: heads,
                                      headDim: D, rowStride: rowStride)
        assertClose(rotated.array, expected, absolute: 1e-6, "rope D=\(D)")

        // backward: d(Σ dOut·rope(x))/dx by central differences equals the inverse rotation of dOut
        let dOut = rng.floats(N * rowStride)
        let gradient = buffer(dOut)
        withTokens(positions) {
            CPUKernels.rope(gradient.pointer, positions: $0, table: table, rows: N, heads: heads, headDim: D,
                            rowStride: rowStride, inverse: true)
        }
        let dOutD = dOut.doubles, xd = x.doubles
        let samples = (0..<50).map { _ in Int.random(in: 0..<N * rowStride, using: &rng) }
        let fd = samples.map { i -> Double in
            let derivative = FiniteDifference.derivative(xd, at: i) {
                dot(dOutD, Self.reference($0, positions: positions, table: table, rows: N, heads: heads,
                                          headDim: D, rowStride: rowStride))
            }
            // untouched trailing floats pass dOut through unchanged, as the identity does
            return derivative
        }
        assertClose(samples.map { gradient.array[$0] }, fd, absolute: 1e-6, "inverse rope D=\(D)")
    }

    func testHeadDimWithOnlyTail() { check(rows: 9, heads: 3, headDim: 12, seed: 60) }
    func testHeadDimWithVectorAndTail() { check(rows: 9, heads: 2, headDim: 20, seed: 61) }
    func testHeadDim64Parallel() { check(rows: 400, heads: 4, headDim: 64, seed: 62) }

    func testInverseUndoesForward() {
        let D = 64, heads = 2, N = 16
        let table = RotaryTable(headDim: D, base: 10_000, maxPositions: 64)
        var rng = SeededGenerator(seed: 63)
        let x = rng.floats(N * heads * D), positions = rng.ids(N, below: 64)
        let roundTrip = buffer(x)
        withTokens(positions) { p in
            for inverse in [false, true] {
                CPUKernels.rope(roundTrip.pointer, positions: p, table: table, rows: N, heads: heads, headDim: D,
                                rowStride: heads * D, inverse: inverse)
            }
        }
        assertClose(roundTrip.array, x.doubles, absolute: 1e-6, "inverse(forward(x))")
    }
}
