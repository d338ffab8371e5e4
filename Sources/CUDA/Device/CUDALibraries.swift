/// The three CUDA libraries a GPU process needs, opened once per process on first use.
package struct CUDALibraries: Sendable {
    /// `libcuda.so.1`
    package let driver: DriverAPI
    /// `libcublasLt.so.12`, `libcublas.so.12`
    package let blas: CuBLASAPI
    /// `libnvrtc.so.12`
    package let nvrtc: NVRTCAPI

    /// Opens the driver, then cuBLAS, then NVRTC; the first one missing is the error.
    package static func open() throws(CUDAError) -> CUDALibraries {
        try CUDALibraries(driver: DriverAPI.open(), blas: CuBLASAPI.open(), nvrtc: NVRTCAPI.open())
    }
}
