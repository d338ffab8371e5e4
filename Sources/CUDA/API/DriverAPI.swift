/// An opaque CUDA handle (`CUcontext`, `CUstream`, `CUmodule`, `CUfunction`, `CUevent`).
package typealias CUHandle = UnsafeMutableRawPointer
/// A device address (`CUdeviceptr`).
package typealias CUDevicePointer = UInt64

/// The CUDA driver API functions this build calls, looked up in `libcuda.so.1` (declarations from
/// `cuda.h`, CUDA 12; the `_v2` names are the ones `cuda.h` maps the plain names to).
package struct DriverAPI: @unchecked Sendable {
    package let library: DynamicLibrary
    package let cuInit: @convention(c) (UInt32) -> Int32
    package let cuDriverGetVersion: @convention(c) (UnsafeMutablePointer<Int32>?) -> Int32
    package let cuDeviceGetCount: @convention(c) (UnsafeMutablePointer<Int32>?) -> Int32
    package let cuDeviceGet: @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
    package let cuDeviceGetName: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32) -> Int32
    package let cuDeviceTotalMem: @convention(c) (UnsafeMutablePointer<Int>?, Int32) -> Int32
    package let cuDeviceGetAttribute: @convention(c) (UnsafeMutablePointer<Int32>?, Int32, Int32) -> Int32
    package let cuDevicePrimaryCtxRetain: @convention(c) (UnsafeMutablePointer<CUHandle?>?, Int32) -> Int32
    package let cuCtxSetCurrent: @convention(c) (CUHandle?) -> Int32
    package let cuStreamCreate: @convention(c) (UnsafeMutablePointer<CUHandle?>?, UInt32) -> Int32
    package let cuStreamSynchronize: @convention(c) (CUHandle?) -> Int32
    package let cuEventCreate: @convention(c) (UnsafeMutablePointer<CUHandle?>?, UInt32) -> Int32
    package let cuEventRecord: @convention(c) (CUHandle?, CUHandle?) -> Int32
    package let cuEventSynchronize: @convention(c) (CUHandle?) -> Int32
    package let cuEventElapsedTime: @convention(c) (UnsafeMutablePointer<Float>?, CUHandle?, CUHandle?) -> Int32
    package let cuMemAlloc: @convention(c) (UnsafeMutablePointer<CUDevicePointer>?, Int) -> Int32
    package let cuMemFree: @convention(c) (CUDevicePointer) -> Int32
    package let cuMemAllocHost: @convention(c) (UnsafeMutablePointer<UnsafeMutableRawPointer?>?, Int) -> Int32
    package let cuMemFreeHost: @convention(c) (UnsafeMutableRawPointer?) -> Int32
    package let cuMemGetInfo: @convention(c) (UnsafeMutablePointer<Int>?, UnsafeMutablePointer<Int>?) -> Int32
    package let cuMemcpyHtoDAsync: @convention(c) (CUDevicePointer, UnsafeRawPointer?, Int, CUHandle?) -> Int32
    package let cuMemcpyDtoHAsync: @convention(c) (UnsafeMutableRawPointer?, CUDevicePointer, Int, CUHandle?) -> Int32
    package let cuMemcpyDtoDAsync: @convention(c) (CUDevicePointer, CUDevicePointer, Int, CUHandle?) -> Int32
    package let cuMemsetD32Async: @convention(c) (CUDevicePointer, UInt32, Int, CUHandle?) -> Int32
    package let cuModuleLoadData: @convention(c) (UnsafeMutablePointer<CUHandle?>?, UnsafeRawPointer?) -> Int32
    package let cuModuleGetFunction: @convention(c) (UnsafeMutablePointer<CUHandle?>?, CUHandle?, UnsafePointer<CChar>?) -> Int32
    package let cuFuncSetAttribute: @convention(c) (CUHandle?, Int32, Int32) -> Int32
    package let cuLaunchKernel: @convention(c) (CUHandle?, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, CUHandle?,
                                                UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Int32
    package let cuGetErrorString: @convention(c) (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> Int32

    /// Opens `libcuda.so.1` (the NVIDIA driver) and looks up every function.
    package static func open() throws(CUDAError) -> DriverAPI {
        let lib = try CUDALibrarySearch.open("libcuda.so.1", purpose: "the NVIDIA driver", wheel: "cuda_runtime")
        return try DriverAPI(
            library: lib,
            cuInit: lib.function("cuInit", as: (@convention(c) (UInt32) -> Int32).self),
            cuDriverGetVersion: lib.function("cuDriverGetVersion", as: (@convention(c) (UnsafeMutablePointer<Int32>?) -> Int32).self),
            cuDeviceGetCount: lib.function("cuDeviceGetCount", as: (@convention(c) (UnsafeMutablePointer<Int32>?) -> Int32).self),
            cuDeviceGet: lib.function("cuDeviceGet", as: (@convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32).self),
            cuDeviceGetName: lib.function("cuDeviceGetName", as: (@convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32) -> Int32).self),
            cuDeviceTotalMem: lib.function("cuDeviceTotalMem_v2", as: (@convention(c) (UnsafeMutablePointer<Int>?, Int32) -> Int32).self),
            cuDeviceGetAttribute: lib.function("cuDeviceGetAttribute", as: (@convention(c) (UnsafeMutablePointer<Int32>?, Int32, Int32) -> Int32).self),
            cuDevicePrimaryCtxRetain: lib.function("cuDevicePrimaryCtxRetain", as: (@convention(c) (UnsafeMutablePointer<CUHandle?>?, Int32) -> Int32).self),
            cuCtxSetCurrent: lib.function("cuCtxSetCurrent", as: (@convention(c) (CUHandle?) -> Int32).self),
            cuStreamCreate: lib.function("cuStreamCreate", as: (@convention(c) (UnsafeMutablePointer<CUHandle?>?, UInt32) -> Int32).self),
            cuStreamSynchronize: lib.function("cuStreamSynchronize", as: (@convention(c) (CUHandle?) -> Int32).self),
            cuEventCreate: lib.function("cuEventCreate", as: (@convention(c) (UnsafeMutablePointer<CUHandle?>?, UInt32) -> Int32).self),
            cuEventRecord: lib.function("cuEventRecord", as: (@convention(c) (CUHandle?, CUHandle?) -> Int32).self),
            cuEventSynchronize: lib.function("cuEventSynchronize", as: (@convention(c) (CUHandle?) -> Int32).self),
            cuEventElapsedTime: lib.function("cuEventElapsedTime", as: (@convention(c) (UnsafeMutablePointer<Float>?, CUHandle?, CUHandle?) -> Int32).self),
            cuMemAlloc: lib.function("cuMemAlloc_v2", as: (@convention(c) (UnsafeMutablePointer<CUDevicePointer>?, Int) -> Int32).self),
            cuMemFree: lib.function("cuMemFree_v2", as: (@convention(c) (CUDevicePointer) -> Int32).self),
            cuMemAllocHost: lib.function("cuMemAllocHost_v2", as: (@convention(c) (UnsafeMutablePointer<UnsafeMutableRawPointer?>?, Int) -> Int32).self),
            cuMemFreeHost: lib.function("cuMemFreeHost", as: (@convention(c) (UnsafeMutableRawPointer?) -> Int32).self),
            cuMemGetInfo: lib.function("cuMemGetInfo_v2", as: (@convention(c) (UnsafeMutablePointer<Int>?, UnsafeMutablePointer<Int>?) -> Int32).self),
            cuMemcpyHtoDAsync: lib.function("cuMemcpyHtoDAsync_v2", as: (@convention(c) (CUDevicePointer, UnsafeRawPointer?, Int, CUHandle?) -> Int32).self),
            cuMemcpyDtoHAsync: lib.function("cuMemcpyDtoHAsync_v2", as: (@convention(c) (UnsafeMutableRawPointer?, CUDevicePointer, Int, CUHandle?) -> Int32).self),
            cuMemcpyDtoDAsync: lib.function("cuMemcpyDtoDAsync_v2", as: (@convention(c) (CUDevicePointer, CUDevicePointer, Int, CUHandle?) -> Int32).self),
            cuMemsetD32Async: lib.function("cuMemsetD32Async", as: (@convention(c) (CUDevicePointer, UInt32, Int, CUHandle?) -> Int32).self),
            cuModuleLoadData: lib.function("cuModuleLoadData", as: (@convention(c) (UnsafeMutablePointer<CUHandle?>?, UnsafeRawPointer?) -> Int32).self),
            cuModuleGetFunction: lib.function("cuModuleGetFunction", as: (@convention(c) (UnsafeMutablePointer<CUHandle?>?, CUHandle?, UnsafePointer<CChar>?) -> Int32).self),
            cuFuncSetAttribute: lib.function("cuFuncSetAttribute", as: (@convention(c) (CUHandle?, Int32, Int32) -> Int32).self),
            cuLaunchKernel: lib.function("cuLaunchKernel", as: (@convention(c) (CUHandle?, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, CUHandle?,
                                                                                UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Int32).self),
            cuGetErrorString: lib.function("cuGetErrorString", as: (@convention(c) (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> Int32).self))
    }

    /// Throws `CUDAError.driver` unless `code` is CUDA_SUCCESS (0).
    package func check(_ code: Int32, _ call: @autoclosure () -> String) throws(CUDAError) {
        guard code != 0 else { return }
        var message: UnsafePointer<CChar>?
        _ = cuGetErrorString(code, &message)
        throw .driver(call: call(), code: code, message: message.map { String(cString: $0) } ?? "unknown error")
    }
}

/// `CUdevice_attribute` values this build reads.
package enum DeviceAttribute: Int32 {
    case multiprocessorCount = 16
    case memoryClockRateKHz = 36
    case globalMemoryBusWidthBits = 37
    case computeCapabilityMajor = 75
    case computeCapabilityMinor = 76
    case maxSharedMemoryPerBlockOptin = 97
}
