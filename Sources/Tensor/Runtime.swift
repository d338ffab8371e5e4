/// How large matrix products use the cores.
public enum MatmulThreading: String, Sendable, CaseIterable {
    /// Each `Parallel` worker runs a single-threaded `sgemm` on its own block of the output (default):
    /// one pool of threads serves the products and every other kernel.
    case split
    /// OpenBLAS threads each product itself (its worker threads spin between calls).
    case openblas
}

/// Process-wide compute settings: how many threads kernels use and how matrix products are threaded.
public enum Runtime {
    /// The matrix-product threading in force.
    nonisolated(unsafe) public private(set) static var matmulThreading: MatmulThreading = .split

    /// Applies the defaults (all cores, `.split`) unless `configure` already ran; the CPU backend calls it
    /// when it is created, so library users who never configure get one thread per core, not OpenBLAS's
    /// threads inside every split product.
    public static func configureDefaultsIfNeeded() {
        if !configured { configure(threads: Parallel.threadCount) }
    }

    nonisolated(unsafe) private static var configured = false

    /// Sets the worker count for `Parallel` loops and how matrix products are threaded.
    public static func configure(threads: Int, matmulThreading: MatmulThreading = .split) {
        configured = true
        Parallel.threadCount = max(1, threads)
        Parallel.startPool()
        self.matmulThreading = matmulThreading
        BLAS.setThreads(matmulThreading == .split ? 1 : max(1, threads))
    }
}
