extension BLAS {
    /// The fewest multiply-adds one call of a split product gets (2^23). OpenBLAS computes an element of
    /// C the same way whatever the extents of the call holding it, except in its paths for small
    /// products: the small-matrix kernels (up to 100³ multiply-adds; measured here as the bound below
    /// which a split changes bits) and the AVX-512 direct `sgemm` (below 28·512² ≈ 7.3M). A split never
    /// makes a call that small, so a product has the same bits whether one call or many compute it.
    static let smallestSplitCall = 1 << 23

    /// `gemm` split over the `Parallel` workers: each worker runs a single-threaded `sgemm` on its own
    /// block of C's rows or columns (whichever dimension is larger), so one thread pool serves both BLAS
    /// and the element-wise kernels and OpenBLAS's spinning workers never compete with it.
    /// Call `BLAS.setThreads(1)` once at start-up (`Runtime.configure` does).
    ///
    /// The same bits for any thread count: a split cuts only C's rows or columns, never the depth `k`,
    /// on multiples of 16, and never into calls below `smallestSplitCall` multiply-adds, so every element
    /// comes out of the same large-product kernel as in one whole call. `ParallelGemmTests` checks this,
    /// bit for bit against one whole `sgemm`, over odd shapes, both transposes, accumulation and 1 to 5
    /// threads. (Under `.openblas` threading, OpenBLAS splits by its own thread count: no such promise.)
    public static func parallelGemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                                    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
                                    b: UnsafePointer<Float>, ldb: Int? = nil,
                                    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil) {
        let (lda, ldb, ldc) = denseLeadingDimensions(transA: transA, transB: transB, m: m, n: n, k: k,
                                                     lda: lda, ldb: ldb, ldc: ldc)
        let splitRows = m >= n
        let extent = splitRows ? m : n
        // whole tiles of 16, the last one taking the remainder, at most one part per worker, and no
        // part below the smallest split call
        let tiles = max(1, extent / 16)
        let parts = min(Parallel.threadCount, tiles, m * n * k / smallestSplitCall)
        if parts <= 1 || Runtime.matmulThreading == .openblas {
            gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                 beta: beta, c: c, ldc: ldc)
            return
        }
        Parallel.forRanges(parts, minimumWork: 0) { range in
            for part in range {
                let lo = tiles * part / parts * 16, hi = part == parts - 1 ? extent : tiles * (part + 1) / parts * 16
                if splitRows {
                    let aPart = transA ? a + lo : a + lo * lda
                    gemm(transA: transA, transB: transB, m: hi - lo, n: n, k: k, alpha: alpha, a: aPart, lda: lda,
                         b: b, ldb: ldb, beta: beta, c: c + lo * ldc, ldc: ldc)
                } else {
                    let bPart = transB ? b + lo * ldb : b + lo
                    gemm(transA: transA, transB: transB, m: m, n: hi - lo, k: k, alpha: alpha, a: a, lda: lda,
                         b: bPart, ldb: ldb, beta: beta, c: c + lo, ldc: ldc)
                }
            }
        }
    }
}
