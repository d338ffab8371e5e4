/// The NVRTC functions this build calls, looked up in `libnvrtc.so.12` (declarations from `nvrtc.h`, CUDA 12).
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

    /// Opens `libnvrtc.so.12` and looks up every function.
    package static func open() throws(CUDAError) -> NVRTCAPI {
        try bind(CUDALibrarySearch.open("libnvrtc.so.12", purpose: "NVRTC, the kernel compiler", wheel: "cuda_nvrtc"))
    }

    /// Looks up every function in `lib`, an opened NVRTC.
    package static func bind(_ lib: DynamicLibrary) throws(CUDAError) -> NVRTCAPI {
        try NVRTCAPI(
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
