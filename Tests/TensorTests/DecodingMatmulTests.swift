@testable import Tensor
import XCTest

/// The two decoding matmuls agree with `sgemm` (plus bias) on row counts that leave partial tiles, odd
/// widths that exercise the tile and panel tails, with and without bias: the skinny kernel (weight
/// streamed as stored, up to `skinnyRowLimit` rows) and the packed-panel kernel (any row count).
final class DecodingMatmulTests: XCTestCase {
    typealias Product = (_ out: FloatPointer, _ input: FloatPointer, _ bias: FloatPointer?, _ rows: Int) -> Void

    /// Checks `product(weight)` against sgemm for each (C, OC) and row count; `prepare` builds the
    /// product from the random weight[OC,C].
    func assertMatchesSgemm(shapes: [(Int, Int)], rowCounts: [Int], seed: UInt64,
                            prepare: (_ weight: FloatBuffer, _ C: Int, _ OC: Int) -> Product) {
        Runtime.configure(threads: 2)
        var rng = SplitMix64(seed: seed)
        func next() -> Float { Float.random(in: -1...1, using: &rng) }
        for (C, OC) in shapes {
            let weight = FloatBuffer(count: OC * C), bias = FloatBuffer(count: OC)
            for i in 0..<weight.count { weight.pointer[i] = next() }
            for i in 0..<OC { bias.pointer[i] = next() }
            let product = prepare(weight, C, OC)
            for M in rowCounts {
                let input = FloatBuffer(count: M * C)
                for i in 0..<input.count { input.pointer[i] = next() }
                for withBias in [false, true] {
                    let got = FloatBuffer(count: M * OC), want = FloatBuffer(count: M * OC)
                    product(got.pointer, input.pointer, withBias ? bias.pointer : nil, M)
                    BLAS.gemm(transB: true, m: M, n: OC, k: C, a: input.pointer, b: weight.pointer, c: want.pointer)
                    if withBias { for m in 0..<M { for o in 0..<OC { want.pointer[m * OC + o] += bias.pointer[o] } } }
                    for i in 0..<(M * OC) {
                        XCTAssertEqual(got.pointer[i], want.pointer[i], accuracy: 1e-4 * Float(C).squareRoot(),
                                       "M=\(M) C=\(C) OC=\(OC) bias=\(withBias) [\(i)]")
                    }
                }
            }
        }
    }

    func testSkinnyMatchesSgemm() {
        assertMatchesSgemm(shapes: [(64, 48), (77, 1031), (576, 960)], rowCounts: [1, 3, 8, 9, 16], seed: 99) {
            weight, C, OC in
            { out, input, bias, M in
                CPUKernels.skinnyMatmulForward(out: out, input: input, weight: weight.pointer, bias: bias, rows: M,
                                               inFeatures: C, outFeatures: OC)
            }
        }
    }

    func testPackedPanelsMatchSgemm() {
        assertMatchesSgemm(shapes: [(64, 48), (77, 1031), (576, 960), (300, 50), (5, 7)],
                           rowCounts: [1, 3, 4, 17, 32, 35], seed: 7) { weight, C, OC in
            let panels = FloatBuffer(count: CPUKernels.packedPanelCount(inFeatures: C, outFeatures: OC))
            CPUKernels.packPanels(weight: weight.pointer, into: panels.pointer, inFeatures: C, outFeatures: OC)
            return { out, input, bias, M in
                CPUKernels.panelMatmulForward(out: out, input: input, panels: panels.pointer, bias: bias, rows: M,
                                              inFeatures: C, outFeatures: OC)
            }
        }
    }
}
