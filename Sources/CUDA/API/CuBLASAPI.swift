/// The cuBLAS functions this build calls, looked up in `libcublas.so.13` or `.so.12` (declarations from
/// `cublas_api.h`, the same in CUDA 12 and 13). cuBLASLt of the same version is opened first so cuBLAS finds
/// it wherever it was found.
package struct CuBLASAPI: @unchecked Sendable {
    package let library: DynamicLibrary
    package let lightweight: DynamicLibrary
    package let cublasCreate: @convention(c) (UnsafeMutablePointer<CUHandle?>?) -> Int32
    package let cublasSetStream: @convention(c) (CUHandle?, CUHandle?) -> Int32
    package let cublasSetMathMode: @convention(c) (CUHandle?, Int32) -> Int32
    package let cublasGetProperty: @convention(c) (Int32, UnsafeMutablePointer<Int32>?) -> Int32
    /// (handle, transA, transB, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc)
    package let cublasSgemm: @convention(c) (CUHandle?, Int32, Int32, Int32, Int32, Int32, UnsafePointer<Float>?, UnsafePointer<Float>?, Int32,
                                             UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int32) -> Int32
    /// (handle, transA, transB, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC, batches)
    package let cublasSgemmStridedBatched: @convention(c) (CUHandle?, Int32, Int32, Int32, Int32, Int32, UnsafePointer<Float>?,
                                                           UnsafePointer<Float>?, Int32, Int64, UnsafePointer<Float>?, Int32, Int64,
                                                           UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int32, Int64, Int32) -> Int32
    /// (handle, transA, transB, m, n, k, alpha, A, Atype, lda, B, Btype, ldb, beta, C, Ctype, ldc, computeType, algo)
    package let cublasGemmEx: @convention(c) (CUHandle?, Int32, Int32, Int32, Int32, Int32, UnsafeRawPointer?, UnsafeRawPointer?, Int32, Int32,
                                              UnsafeRawPointer?, Int32, Int32, UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, Int32,
                                              Int32, Int32) -> Int32

    /// Opens cuBLASLt and cuBLAS of one CUDA version (13, else 12) and looks up every function.
    package static func open() throws(CUDAError) -> CuBLASAPI {
        let lt = try CUDALibrarySearch.open(versioned: "libcublasLt", purpose: "cuBLASLt, the matrix products", wheel: "cublas")
        let major = Int(lt.name.split(separator: ".").last!)!
        let lib = try CUDALibrarySearch.open(versioned: "libcublas", purpose: "cuBLAS, the matrix products", wheel: "cublas", majors: [major])
        return try CuBLASAPI(
            library: lib, lightweight: lt,
            cublasCreate: lib.function("cublasCreate_v2", as: (@convention(c) (UnsafeMutablePointer<CUHandle?>?) -> Int32).self),
            cublasSetStream: lib.function("cublasSetStream_v2", as: (@convention(c) (CUHandle?, CUHandle?) -> Int32).self),
            cublasSetMathMode: lib.function("cublasSetMathMode", as: (@convention(c) (CUHandle?, Int32) -> Int32).self),
            cublasGetProperty: lib.function("cublasGetProperty", as: (@convention(c) (Int32, UnsafeMutablePointer<Int32>?) -> Int32).self),
            cublasSgemm: lib.function("cublasSgemm_v2", as: (@convention(c) (CUHandle?, Int32, Int32, Int32, Int32, Int32, UnsafePointer<Float>?,
                                                                              UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32,
                                                                              UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int32) -> Int32).self),
            cublasSgemmStridedBatched: lib.function("cublasSgemmStridedBatched", as: (@convention(c) (CUHandle?, Int32, Int32, Int32, Int32, Int32,
                                                                                                      UnsafePointer<Float>?, UnsafePointer<Float>?, Int32, Int64,
                                                                                                      UnsafePointer<Float>?, Int32, Int64, UnsafePointer<Float>?,
                                                                                                      UnsafeMutablePointer<Float>?, Int32, Int64, Int32) -> Int32).self),
            cublasGemmEx: lib.function("cublasGemmEx", as: (@convention(c) (CUHandle?, Int32, Int32, Int32, Int32, Int32, UnsafeRawPointer?,
                                                                             UnsafeRawPointer?, Int32, Int32, UnsafeRawPointer?, Int32, Int32,
                                                                             UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, Int32, Int32, Int32) -> Int32).self))
    }

    /// Throws `CUDAError.cublas` unless `status` is CUBLAS_STATUS_SUCCESS (0).
    package func check(_ status: Int32, _ call: @autoclosure () -> String) throws(CUDAError) {
        guard status == 0 else { throw .cublas(call: call(), status: status) }
    }

    /// The library's version, `major.minor.patch`.
    package var version: String {
        var parts: [Int32] = []
        for property: Int32 in 0...2 {
            var value: Int32 = 0
            parts.append(cublasGetProperty(property, &value) == 0 ? value : -1)
        }
        return parts.map(String.init).joined(separator: ".")
    }
}

/// cuBLAS and CUDA enumeration values this build passes.
package enum CuBLASConstant {
    /// CUBLAS_OP_N, CUBLAS_OP_T
    package static let noTranspose: Int32 = 0, transpose: Int32 = 1
    /// CUBLAS_DEFAULT_MATH, CUBLAS_PEDANTIC_MATH, CUBLAS_TF32_TENSOR_OP_MATH
    package static let defaultMath: Int32 = 0, pedanticMath: Int32 = 2, tf32TensorOpMath: Int32 = 3
    /// CUDA_R_32F, CUDA_R_16BF
    package static let float32: Int32 = 0, bfloat16: Int32 = 14
    /// CUBLAS_COMPUTE_32F
    package static let compute32F: Int32 = 68
    /// CUBLAS_GEMM_DEFAULT
    package static let gemmDefault: Int32 = -1
}
