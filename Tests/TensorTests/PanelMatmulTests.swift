import Tensor
import XCTest

/// The packed-panel matmul agrees with `sgemm` for row counts that leave partial 4-row tiles, widths that
/// leave a partial 24-column panel, odd input widths, with and without bias.
final class PanelMatmulTests: XCTestCase {
    func testMatchesSgemm() {
        Runtime.configure(threads: 2)
        var rng = SplitMix64(seed: 7)
        func next() -> Float { Float.random(in: -1...1, using: &rng) }
        for (C, OC) in [(64, 48), (77, 1031), (576, 960), (300, 50), (5, 7)] {
            let weight = FloatBuffer(count: OC * C), bias = FloatBuffer(count: OC)
            for i in 0..<weight.count { weight.pointer[i] = next() }
            for i in 0..<OC { bias.pointer[i] = next() }
            let panels = FloatBuffer(count: CPUKernels.packedPanelCount(inFeatures: C, outFeatures: OC))
            CPUKernels.packPanels(weight: weight.pointer, into: panels.pointer, inFeatures: C, outFeatures: OC)
            for M in [1, 3, 4, 17, 32, 35] {
                let input = FloatBuffer(count: M * C)
                for i in 0..<input.count { input.pointer[i] = next() }
                for withBias in [false, true] {
                    let got = FloatBuffer(count: M * OC), want = FloatBuffer(count: M * OC)
                    CPUKernels.panelMatmulForward(out: got.pointer, input: input.pointer, panels: panels.pointer,
                                                  bias: withBias ? bias.pointer : nil, rows: M, inFeatures: C, outFeatures: OC)
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
}
