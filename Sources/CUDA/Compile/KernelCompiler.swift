/// Compiles kernel programs to PTX with NVRTC. Needs no GPU: `make cuda-ptx` runs it on the CPU.
package struct KernelCompiler: Sendable {
    /// The NVRTC functions.
    package let nvrtc: NVRTCAPI
    /// The virtual architecture compiled for (`compute_80`); the driver JIT-compiles PTX for newer GPUs.
    package let architecture: String

    package init(nvrtc: NVRTCAPI, architecture: String) {
        self.nvrtc = nvrtc; self.architecture = architecture
    }

    /// The PTX of `program`, NUL-terminated as `cuModuleLoadData` wants it.
    package func ptx(of program: KernelProgram) throws(CUDAError) -> [CChar] {
        var handle: OpaquePointer?
        let name = program.name + ".cu"
        try nvrtc.check(program.fullSource.withCString { source in
            name.withCString { nvrtc.nvrtcCreateProgram(&handle, source, $0, 0, nil, nil) }
        }, "nvrtcCreateProgram(\(name))")
        defer { _ = nvrtc.nvrtcDestroyProgram(&handle) }
        let options = ["--gpu-architecture=\(architecture)", "--std=c++17", "-default-device"]
        let status = withCStrings(options) { nvrtc.nvrtcCompileProgram(handle, Int32(options.count), $0) }
        if status != 0 { throw .compile(program: name, log: log(of: handle)) }
        var size = 0
        try nvrtc.check(nvrtc.nvrtcGetPTXSize(handle, &size), "nvrtcGetPTXSize(\(name))")
        var ptx = [CChar](repeating: 0, count: max(size, 1))
        try nvrtc.check(nvrtc.nvrtcGetPTX(handle, &ptx), "nvrtcGetPTX(\(name))")
        if ptx.last != 0 { ptx.append(0) }
        return ptx
    }

    private func log(of handle: OpaquePointer?) -> String {
        var size = 0
        guard nvrtc.nvrtcGetProgramLogSize(handle, &size) == 0, size > 1 else { return "no log" }
        var text = [CChar](repeating: 0, count: size)
        guard nvrtc.nvrtcGetProgramLog(handle, &text) == 0 else { return "no log" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Calls `body` with a C array of the strings (valid only inside `body`).
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer<CChar>($0) }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

#if canImport(Glibc)
import Glibc
#endif
