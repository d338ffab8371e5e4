import ArgumentParser
import CUDA
import Launch
import Tensor

/// Options every compute-heavy subcommand shares: where it computes and with how many threads.
struct ComputeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("What to compute on: cpu, cpu:CORES (e.g. cpu:2-3) or cuda:N.", valueName: "device"))
    var device = "cpu"

    @Option(help: "Matrix products on a GPU: fp32, tf32 (tensor cores, float32 sums) or bf16 (bfloat16 products, float32 weights and sums).")
    var precision: CUDAPrecision = .fp32

    @Option(help: "Worker threads for kernels and matrix products (default: all cores).")
    var threads: Int = System.coreCount

    @Option(help: "How matrix products use the threads: split (each worker runs its own block, default) or openblas (OpenBLAS threads each product).")
    var matmulThreading: MatmulThreading = .split

    func validate() throws {
        guard threads >= 1 && threads <= 1024 else { throw ValidationError("--threads must be between 1 and 1024, got \(threads)") }
        _ = try DeviceSpec.parse(device)
    }

    /// Pins the process to its device with the thread settings (a GPU becomes the backend every model is
    /// built on; a core set fixes the thread count).
    func apply() throws {
        let spec = try DeviceSpec.parse(device)
        if case .cpu = spec, precision != .fp32 {
            CommandWarning.emit("--precision \(precision.rawValue) is for GPUs; --device \(device) computes in float32")
        }
        try spec.apply(precision: precision, threads: threads, matmulThreading: matmulThreading)
    }
}

extension MatmulThreading: ExpressibleByArgument {}
extension CUDAPrecision: ExpressibleByArgument {}
