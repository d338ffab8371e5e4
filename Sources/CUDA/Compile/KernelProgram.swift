/// One CUDA C source compiled as its own NVRTC program: its name (for errors), its text, and the
/// `extern "C" __global__` functions it defines.
package struct KernelProgram: Sendable {
    /// A short name (`norms`, `attention`).
    package let name: String
    /// CUDA C, compiled after `KernelPrelude.source`.
    package let source: String
    /// The kernels it defines, looked up by these names after loading.
    package let kernels: [String]

    package init(name: String, source: String, kernels: [String]) {
        self.name = name; self.source = source; self.kernels = kernels
    }

    /// The text NVRTC compiles: the shared prelude, then this program.
    package var fullSource: String { KernelPrelude.source + "\n" + source }
}
