import Foundation
import Logging

/// One GPU opened for this process: its primary context, one stream every kernel and copy goes through
/// (so work runs in issue order and the host waits only when it reads a result), a cuBLAS handle on that
/// stream, the compiled kernels, and a pinned host buffer for uploads and downloads.
package final class CUDADevice: @unchecked Sendable {
    /// The libraries.
    package let libraries: CUDALibraries
    /// The device ordinal (`cuda:N`).
    package let ordinal: Int
    /// Compute capability (major, minor).
    package let capability: (major: Int, minor: Int)
    /// The device's name (`NVIDIA H100 80GB HBM3`).
    package let deviceName: String
    /// Its memory in bytes.
    package let memoryBytes: Int
    let context: CUHandle
    /// The one stream.
    package let stream: CUHandle
    /// The cuBLAS handle bound to `stream`.
    package let blasHandle: CUHandle
    private var functions: [String: CUHandle] = [:]
    private let staging: PinnedStaging
    private let lock = NSLock()

    /// Opens `cuda:ordinal`, compiles every kernel program for its architecture and loads them.
    package init(ordinal: Int, libraries: CUDALibraries, programs: [KernelProgram] = KernelSources.programs,
                 logger: Logger = Logger(label: "rlhf.cuda")) throws(CUDAError) {
        let driver = libraries.driver
        self.libraries = libraries
        self.ordinal = ordinal
        try driver.check(driver.cuInit(0), "cuInit")
        var count: Int32 = 0
        try driver.check(driver.cuDeviceGetCount(&count), "cuDeviceGetCount")
        guard ordinal < Int(count) else { throw .noSuchDevice(index: ordinal, visible: Int(count)) }
        var device: Int32 = 0
        try driver.check(driver.cuDeviceGet(&device, Int32(ordinal)), "cuDeviceGet(\(ordinal))")
        capability = try (Self.attribute(.computeCapabilityMajor, device, driver), Self.attribute(.computeCapabilityMinor, device, driver))
        deviceName = Self.name(of: device, driver)
        var memory = 0
        try driver.check(driver.cuDeviceTotalMem(&memory, device), "cuDeviceTotalMem")
        memoryBytes = memory
        var context: CUHandle?
        try driver.check(driver.cuDevicePrimaryCtxRetain(&context, device), "cuDevicePrimaryCtxRetain")
        try driver.check(driver.cuCtxSetCurrent(context), "cuCtxSetCurrent")
        self.context = context!
        var stream: CUHandle?
        try driver.check(driver.cuStreamCreate(&stream, 1 /* CU_STREAM_NON_BLOCKING */), "cuStreamCreate")
        self.stream = stream!
        var handle: CUHandle?
        try libraries.blas.check(libraries.blas.cublasCreate(&handle), "cublasCreate")
        try libraries.blas.check(libraries.blas.cublasSetStream(handle, stream), "cublasSetStream")
        blasHandle = handle!
        staging = try PinnedStaging(driver: driver, context: context!, bytes: 8 << 20)
        let compiler = KernelCompiler(nvrtc: libraries.nvrtc, architecture: Self.architecture(for: capability))
        let started = Date()
        for program in programs {
            let ptx = try compiler.ptx(of: program)
            var module: CUHandle?
            try driver.check(ptx.withUnsafeBytes { driver.cuModuleLoadData(&module, $0.baseAddress) }, "cuModuleLoadData(\(program.name))")
            for kernel in program.kernels {
                var function: CUHandle?
                try driver.check(driver.cuModuleGetFunction(&function, module, kernel), "cuModuleGetFunction(\(kernel))")
                functions[kernel] = function!
            }
        }
        logger.info("cuda:\(ordinal) \(deviceName) sm_\(capability.major)\(capability.minor): \(functions.count) kernels compiled in \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
    }

    /// The virtual architecture NVRTC compiles for: the device's own, capped at what NVRTC 12.0 knows.
    package static func architecture(for capability: (major: Int, minor: Int)) -> String {
        let version = capability.major * 10 + capability.minor
        return "compute_\(min(max(version, 52), 90))"
    }

    // MARK: launching

    /// Queues kernel `name` on the stream. A failed launch (a bug or a lost device) ends the process with
    /// one line: the `Backend` protocol has no error path for a device that stopped working.
    package func launch(_ name: String, _ shape: LaunchShape, _ arguments: [KernelArgument]) {
        makeCurrent()
        guard let function = functions[name] else { CUDAFailure.stop("no kernel named \(name) was compiled", device: ordinal) }
        let slots = UnsafeMutableRawPointer.allocate(byteCount: max(1, arguments.count) * 8, alignment: 8)
        defer { slots.deallocate() }
        var pointers = [UnsafeMutableRawPointer?](repeating: nil, count: arguments.count)
        for (i, argument) in arguments.enumerated() {
            argument.store(at: slots + 8 * i)
            pointers[i] = slots + 8 * i
        }
        if shape.sharedBytes > 48 << 10 {
            _ = libraries.driver.cuFuncSetAttribute(function, 8 /* MAX_DYNAMIC_SHARED_SIZE_BYTES */, Int32(shape.sharedBytes))
        }
        let status = pointers.withUnsafeMutableBufferPointer { args in
            libraries.driver.cuLaunchKernel(function, UInt32(shape.blocks.x), UInt32(shape.blocks.y), UInt32(shape.blocks.z),
                                            UInt32(shape.threads.x), UInt32(shape.threads.y), UInt32(shape.threads.z),
                                            UInt32(shape.sharedBytes), stream, args.baseAddress, nil)
        }
        checked(status, "cuLaunchKernel(\(name))")
    }

    /// Waits until everything queued on the stream has run.
    package func synchronize() {
        makeCurrent()
        checked(libraries.driver.cuStreamSynchronize(stream), "cuStreamSynchronize")
    }

    /// Makes the device's context current on the calling thread: Swift's tasks move between threads, and a
    /// driver call on a thread without it fails.
    package func makeCurrent() { checked(libraries.driver.cuCtxSetCurrent(context), "cuCtxSetCurrent") }

    /// Ends the process with one line unless `code` is success.
    package func checked(_ code: Int32, _ call: @autoclosure () -> String) {
        do { try libraries.driver.check(code, call()) } catch { CUDAFailure.stop(error.description, device: ordinal) }
    }

    /// Ends the process with one line unless the cuBLAS `status` is success.
    package func checkedBLAS(_ status: Int32, _ call: @autoclosure () -> String) {
        do { try libraries.blas.check(status, call()) } catch { CUDAFailure.stop(error.description, device: ordinal) }
    }

    // MARK: memory

    /// `bytes` of device memory (at least 256-byte aligned), zeroed; ends the process with one line when the
    /// device is out of memory.
    package func allocate(bytes: Int) -> CUDevicePointer {
        makeCurrent()
        var address: CUDevicePointer = 0
        let status = libraries.driver.cuMemAlloc(&address, max(bytes, 4))
        if status == 2 /* CUDA_ERROR_OUT_OF_MEMORY */ {
            CUDAFailure.stop("out of device memory allocating \(bytes >> 20) MiB (\(memoryReport))", device: ordinal)
        }
        checked(status, "cuMemAlloc(\(bytes))")
        checked(libraries.driver.cuMemsetD32Async(address, 0, max(bytes, 4) / 4, stream), "cuMemsetD32Async")
        return address
    }

    /// Frees device memory once the work queued before has run.
    package func free(_ address: CUDevicePointer) {
        synchronize()
        _ = libraries.driver.cuMemFree(address)
    }

    /// "F MiB free of T MiB".
    package var memoryReport: String {
        var free = 0, total = 0
        _ = libraries.driver.cuMemGetInfo(&free, &total)
        return "\(free >> 20) MiB free of \(total >> 20) MiB"
    }

    /// Copies `bytes` from host memory into device memory, staged through pinned memory in pieces; returns
    /// once the host memory may be reused.
    package func upload(_ source: UnsafeRawPointer, bytes: Int, to destination: CUDevicePointer) {
        lock.lock(); defer { lock.unlock() }
        makeCurrent()
        staging.upload(source, bytes: bytes, to: destination, device: self)
    }

    /// Copies `bytes` of device memory to host memory, waiting for the work queued before.
    package func download(_ source: CUDevicePointer, bytes: Int, into destination: UnsafeMutableRawPointer) {
        lock.lock(); defer { lock.unlock() }
        makeCurrent()
        staging.download(source, bytes: bytes, into: destination, device: self)
    }

    private static func attribute(_ attribute: DeviceAttribute, _ device: Int32, _ driver: DriverAPI) throws(CUDAError) -> Int {
        var value: Int32 = 0
        try driver.check(driver.cuDeviceGetAttribute(&value, attribute.rawValue, device), "cuDeviceGetAttribute(\(attribute))")
        return Int(value)
    }

    private static func name(of device: Int32, _ driver: DriverAPI) -> String {
        var text = [CChar](repeating: 0, count: 256)
        guard driver.cuDeviceGetName(&text, 256, device) == 0 else { return "unknown" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Ends a process whose GPU failed mid-computation, with one line on standard error and status 1.
package enum CUDAFailure {
    package static func stop(_ message: String, device: Int) -> Never {
        FileHandle.standardError.write(Data("rlhf: cuda:\(device): \(message)\n".utf8))
        exit(1)
    }
}
