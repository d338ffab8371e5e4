/// Process-wide compute settings: how many threads kernels use.
public enum Runtime {
    /// Sets the worker count for `Parallel` loops and makes OpenBLAS single-threaded inside each call
    /// (matrix products are split across the same workers by `BLAS.parallelGemm`).
    public static func configure(threads: Int) {
        Parallel.threadCount = max(1, threads)
        BLAS.setThreads(1)
    }
}
