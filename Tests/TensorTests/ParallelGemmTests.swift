@testable import Tensor
import TestSupport
import XCTest

/// `BLAS.parallelGemm` gives the same bits as one whole-matrix `sgemm`, whatever the thread count: over
/// shapes with odd tails on every dimension (a last tile of 1 to 15 rows or columns) and 30 random ones,
/// both transposes, and accumulation onto C, with 1 to 5 threads. The shapes include small products,
/// where OpenBLAS's small-matrix kernels would give other bits to a split (they are never split).
final class ParallelGemmTests: XCTestCase {
    override func tearDown() { Runtime.configure(threads: 2) }

    func testSplitProductsMatchOneWholeProductBitForBit() {
        var generator = SeededGenerator(seed: 7)
        let fixed = [(300, 1001, 37), (1025, 33, 130), (17, 50257, 8), (100, 129, 257), (64, 2049, 96),
                     (161, 161, 97), (4097, 17, 31), (1024, 768, 64), (283, 28, 275), (2000, 1900, 9), (199, 102, 178)]
        let random = (0..<30).map { _ in
            (Int.random(in: 17...1200, using: &generator), Int.random(in: 17...1200, using: &generator),
             Int.random(in: 8...400, using: &generator))
        }
        var split = 0
        for (m, n, k) in fixed + random {
            if BLAS.smallestSplitCall * 2 <= m * n * k && max(m, n) >= 32 { split += 1 }
            let a = generator.floats(m * k), b = generator.floats(k * n), c0 = generator.floats(m * n)
            for (transA, transB) in [(false, false), (true, false), (false, true), (true, true)] {
                for beta: Float in [0, 1] {
                    var whole = c0
                    BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, b: b, beta: beta, c: &whole)
                    for threads in 1...5 {
                        Runtime.configure(threads: threads)
                        var parts = c0
                        BLAS.parallelGemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, b: b, beta: beta,
                                          c: &parts)
                        let first = parts.indices.first { parts[$0].bitPattern != whole[$0].bitPattern }
                        XCTAssertNil(first, "\(m)x\(n)x\(k) transA \(transA) transB \(transB) beta \(beta), "
                                     + "\(threads) threads: C[\(first ?? 0)] differs from one whole sgemm")
                    }
                }
            }
        }
        XCTAssertGreaterThanOrEqual(split, 15, "most shapes are split at 2 threads and more")
    }
}
