/// What stops a CUDA device from being used, in one line that names the library, call or device.
public enum CUDAError: Error, Equatable, CustomStringConvertible {
    /// A shared library could not be opened: its file name, what it is for, and where it was looked for.
    case libraryMissing(library: String, purpose: String, reason: String)
    /// A library opened but lacks a function this build calls (too old a driver or toolkit).
    case symbolMissing(library: String, symbol: String)
    /// A CUDA driver call failed.
    case driver(call: String, code: Int32, message: String)
    /// `cuda:N` with fewer than N+1 devices visible.
    case noSuchDevice(index: Int, visible: Int)
    /// A cuBLAS call failed.
    case cublas(call: String, status: Int32)
    /// An NVRTC call failed.
    case nvrtc(call: String, message: String)
    /// A kernel source did not compile; the first lines of NVRTC's log.
    case compile(program: String, log: String)

    public var description: String {
        switch self {
        case let .libraryMissing(library, purpose, reason):
            "cannot open \(library) (\(purpose)): \(reason); set RLHF_CUDA_LIBRARY_PATH to the folder that holds it"
        case let .symbolMissing(library, symbol): "\(library) has no \(symbol): the library is too old for this build"
        case let .driver(call, code, message): "CUDA driver: \(call) failed with \(code) (\(message))"
        case let .noSuchDevice(index, visible):
            "--device cuda:\(index): \(visible == 0 ? "no CUDA device is visible" : "only \(visible) CUDA device\(visible == 1 ? " is" : "s are") visible (cuda:0-\(visible - 1))")"
        case let .cublas(call, status): "cuBLAS: \(call) failed with status \(status)"
        case let .nvrtc(call, message): "NVRTC: \(call) failed (\(message))"
        case let .compile(program, log):
            "NVRTC: \(program) did not compile: \(log.split(separator: "\n").prefix(3).joined(separator: " | ").prefix(400))"
        }
    }
}
