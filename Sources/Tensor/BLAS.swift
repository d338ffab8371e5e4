import CBLAS

/// Row-major single-precision matrix products through OpenBLAS `cblas_sgemm`.
package enum BLAS {
    /// Sets the number of threads OpenBLAS uses inside one `sgemm`.
    package static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }

    /// Runs `body` with OpenBLAS single-threaded (for code that calls `gemm` from several `Parallel`
    /// workers at once), restoring the thread count after.
    @inlinable
    package static func singleThreaded<R>(_ body: () throws -> R) rethrows -> R {
        let before = threads
        if before == 1 { return try body() }
        setThreads(1)
        defer { setThreads(before) }
        return try body()
    }

    /// Threads OpenBLAS uses now.
    package static var threads: Int { Int(openblas_get_num_threads()) }

    /// C[M,N] = alpha * op(A)[M,K] · op(B)[K,N] + beta * C, all row-major.
    /// `transA`: A is stored [K,M]; `transB`: B is stored [N,K]. Leading dimensions default to dense.
    @inlinable
    package static func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                            alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
                            b: UnsafePointer<Float>, ldb: Int? = nil,
                            beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil) {
        let (lda, ldb, ldc) = denseLeadingDimensions(transA: transA, transB: transB, m: m, n: n, k: k,
                                                     lda: lda, ldb: ldb, ldc: ldc)
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Leading dimensions of op(A)[M,K], op(B)[K,N] and C[M,N], dense (row-major) unless given.
    @inlinable
    static func denseLeadingDimensions(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, lda: Int?, ldb: Int?,
                                       ldc: Int?) -> (Int, Int, Int) {
        (lda ?? (transA ? m : k), ldb ?? (transB ? k : n), ldc ?? n)
    }
}
