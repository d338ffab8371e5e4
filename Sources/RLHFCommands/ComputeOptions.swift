import ArgumentParser
import Tensor

/// Options every compute-heavy subcommand shares.
struct ComputeOptions: ParsableArguments {
    @Option(help: "Worker threads for kernels and matrix products (default: all cores).")
    var threads: Int = System.coreCount

    @Option(help: "How matrix products use the threads: split (each worker runs its own block, default) or openblas (OpenBLAS threads each product).")
    var matmulThreading: MatmulThreading = .split

    func validate() throws {
        guard threads >= 1 && threads <= 1024 else { throw ValidationError("--threads must be between 1 and 1024, got \(threads)") }
    }

    /// Applies the thread count to the runtime.
    func apply() { Runtime.configure(threads: threads, matmulThreading: matmulThreading) }
}

extension MatmulThreading: ExpressibleByArgument {}
