import Tensor
import XCTest

/// The decoding matmul (few rows, weight streamed once) agrees with `sgemm` on every row count up to the
/// limit, with odd widths that exercise the packed-tile tails, with and without bias.
final class SkinnyMatmulTests: XCTestCase {
    func testMatchesSgemm() {
        Runtime.configure(threads: 2)
        var rng = SplitMix64(seed: 99)
        func next() -> Float { Float.random(in: -1...1, using: &rng) }
        for (C, OC) in [(64, 48), (77, 1031), (576, 960)] {
            let weight = FloatBuffer(count: OC * C), bias = FloatBuffer(count: OC)
            for i in 0..<weight.count { weight.pointer[i] = next() }
            for i in 0..<OC { bias.pointer[i] = next() }
            for M in [1, 3, 8, 9, 16] {
                let input = FloatBuffer(count: M * C)
                for i in 0..<input.count { input.pointer[i] = next() }
                for withBias in [false, true] {
                    let got = FloatBuffer(count: M * OC), want = FloatBuffer(count: M * OC)
                    CPUKernels.skinnyMatmulForward(out: got.pointer, input: input.pointer, weight: weight.pointer,
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
