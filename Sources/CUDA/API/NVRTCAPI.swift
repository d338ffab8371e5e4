/// The NVRTC functions this build calls, looked up in `libnvrtc.so.13` or `libnvrtc.so.12` (declarations from
/// `nvrtc.h`, the same in CUDA 12 and 13).
package struct NVRTCAPI: @unchecked Sendable {
    package let library: DynamicLibrary
    package let nvrtcVersion: @convention(c) (UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<Int32>?) -> Int32
    package let nvrtcGetErrorString: @convention(c) (Int32) -> UnsafePointer<CChar>?
    /// (program, source, name, header count, headers, include names)
    package let nvrtcCreateProgram: @convention(c) (UnsafeMutablePointer<OpaquePointer?>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, Int32,
                                                    UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32
    package let nvrtcCompileProgram: @convention(c) (OpaquePointer?, Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32
    package let nvrtcGetPTXSize: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int>?) -> Int32
    package let nvrtcGetPTX: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?) -> Int32
    package let nvrtcGetProgramLogSize: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int>?) -> Int32
    package let nvrtcGetProgramLog: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?) -> Int32
    package let nvrtcDestroyProgram: @convention(c) (UnsafeMutablePointer<OpaquePointer?>?) -> Int32

    /// Opens `libnvrtc.so.13` or `.so.12` and looks up every function.
    package static func open() throws(CUDAError) -> NVRTCAPI {
        try bind(CUDALibrarySearch.open(versioned: "libnvrtc", purpose: "NVRTC, the kernel compiler", wheel: "cuda_nvrtc"))
    }

    /// Looks up every function in `lib`, an opened NVRTC. NVRTC opens its builtins library by file name
    /// when it compiles; from a folder outside the loader's path (a wheel's) it would not find it, so the
    /// builtins beside `lib` are opened first.
    package static func bind(_ lib: DynamicLibrary) throws(CUDAError) -> NVRTCAPI {
        lib.openCompanions(prefix: "libnvrtc-builtins.so.")
        return try NVRTCAPI(
            library: lib,
            nvrtcVersion: lib.function("nvrtcVersion", as: (@convention(c) (UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<Int32>?) -> Int32).self),
            nvrtcGetErrorString: lib.function("nvrtcGetErrorString", as: (@convention(c) (Int32) -> UnsafePointer<CChar>?).self),
            nvrtcCreateProgram: lib.function("nvrtcCreateProgram", as: (@convention(c) (UnsafeMutablePointer<OpaquePointer?>?, UnsafePointer<CChar>?,
                                                                                        UnsafePointer<CChar>?, Int32, UnsafePointer<UnsafePointer<CChar>?>?,
                                                                                        UnsafePointer<UnsafePointer<CChar>?>?) -> Int32).self),
            nvrtcCompileProgram: lib.function("nvrtcCompileProgram", as: (@convention(c) (OpaquePointer?, Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32).self),
            nvrtcGetPTXSize: lib.function("nvrtcGetPTXSize", as: (@convention(c) (OpaquePointer?, UnsafeMutablePointer<Int>?) -> Int32).self),
            nvrtcGetPTX: lib.function("nvrtcGetPTX", as: (@convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?) -> Int32).self),
            nvrtcGetProgramLogSize: lib.function("nvrtcGetProgramLogSize", as: (@convention(c) (OpaquePointer?, UnsafeMutablePointer<Int>?) -> Int32).self),
            nvrtcGetProgramLog: lib.function("nvrtcGetProgramLog", as: (@convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?) -> Int32).self),
            nvrtcDestroyProgram: lib.function("nvrtcDestroyProgram", as: (@convention(c) (UnsafeMutablePointer<OpaquePointer?>?) -> Int32).self))
    }

    /// The compiler's version, `major.minor`.
    package var version: String {
        var major: Int32 = 0, minor: Int32 = 0
        return nvrtcVersion(&major, &minor) == 0 ? "\(major).\(minor)" : "unknown"
    }

    /// Throws `CUDAError.nvrtc` unless `result` is NVRTC_SUCCESS (0).
    package func check(_ result: Int32, _ call: @autoclosure () -> String) throws(CUDAError) {
        guard result != 0 else { return }
        throw .nvrtc(call: call(), message: nvrtcGetErrorString(result).map { String(cString: $0) } ?? "error \(result)")
    }
}
