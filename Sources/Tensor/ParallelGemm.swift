extension BLAS {
    /// `gemm` split over the `Parallel` workers: each worker runs a single-threaded `sgemm` on its own
    /// block of C's rows or columns (whichever dimension is larger), so one thread pool serves both BLAS
    /// and the element-wise kernels and OpenBLAS's spinning workers never compete with it.
    /// Call `BLAS.setThreads(1)` once at start-up (`Runtime.configure` does).
    public static func parallelGemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                                    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
                                    b: UnsafePointer<Float>, ldb: Int? = nil,
                                    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil) {
        let (lda, ldb, ldc) = denseLeadingDimensions(transA: transA, transB: transB, m: m, n: n, k: k,
                                                     lda: lda, ldb: ldb, ldc: ldc)
        let workers = Parallel.threadCount
        // below ~4 MFLOP a split costs more than it gains; with `.openblas` threading OpenBLAS splits itself
        if workers <= 1 || m * n * k < 1 << 21 || Runtime.matmulThreading == .openblas {
            gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                 beta: beta, c: c, ldc: ldc)
            return
        }
        let splitRows = m >= n
        let extent = splitRows ? m : n
        // blocks of 16 keep every worker's slice aligned to whole SIMD/cache-line tiles
        let tiles = (extent + 15) / 16
        Parallel.forRanges(tiles, minimumWork: 0) { range in
            let lo = range.lowerBound * 16, hi = min(extent, range.upperBound * 16)
            if lo >= hi { return }
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
