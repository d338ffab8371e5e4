import Foundation
import Tensor

/// Matrix-product precision on the GPU.
public enum CUDAPrecision: String, Sendable, CaseIterable {
    /// IEEE float32 products (cuBLAS's pedantic math).
    case fp32
    /// float32 storage, TF32 tensor-core products (10-bit mantissa inputs, float32 sums).
    case tf32
    /// float32 master weights, gradients and optimizer state; products on bfloat16 copies of their inputs
    /// with float32 sums (tensor cores).
    case bf16
}

/// The CUDA backend: every `Backend` buffer is device memory of one GPU, matrix products run in cuBLAS,
/// every other kernel is CUDA C compiled at start by NVRTC. All work goes through one stream in issue
/// order; the host waits only where a result comes back to it (downloads, sums, sampled tokens).
///
/// Reductions add in an order fixed by the launch shape alone (no atomics in sums), so the same inputs give
/// the same bits on every run.
public final class CUDABackend: Backend, @unchecked Sendable {
    /// The device.
    package let device: CUDADevice
    /// How matrix products compute.
    public let precision: CUDAPrecision
    /// Device copies of host rotary tables, by table identity.
    var rotaryTables: [ObjectIdentifier: (table: RotaryTable, cos: FloatBuffer, sin: FloatBuffer)] = [:]
    /// Reusable device scratch (bf16 copies, partial sums), grown on demand, one set per calling thread.
    var scratchBuffers: [String: FloatBuffer] = [:]
    /// Guards `rotaryTables` and `scratchBuffers`: roles of one process (the embedded run) call the backend
    /// from several threads at once.
    let stateLock = NSLock()

    /// `cuda:N`.
    public var name: String { "cuda:\(device.ordinal)" }
    /// Buffers are device memory.
    public var sharesHostMemory: Bool { false }
    /// The GPU's memory.
    public var deviceMemoryBytes: Int? { device.memoryBytes }

    /// Opens GPU `ordinal` (as numbered after `CUDA_VISIBLE_DEVICES`) and compiles the kernels.
    public init(ordinal: Int, precision: CUDAPrecision = .fp32) throws(CUDAError) {
        device = try CUDADevice(ordinal: ordinal, libraries: CUDALibraries.open())
        self.precision = precision
        let blas = device.libraries.blas
        let mode = precision == .tf32 ? CuBLASConstant.tf32TensorOpMath : CuBLASConstant.pedanticMath
        try blas.check(blas.cublasSetMathMode(device.blasHandle, mode), "cublasSetMathMode")
    }

    // MARK: memory

    /// A zeroed buffer of `count` floats in device memory.
    public func makeBuffer(count: Int) -> FloatBuffer {
        let address = device.allocate(bytes: max(count, 1) * 4)
        let device = self.device
        return FloatBuffer(adopting: FloatPointer(bitPattern: UInt(address))!, count: count) { p in
            device.free(CUDevicePointer(UInt(bitPattern: p)))
        }
    }

    /// A zeroed buffer of `count` token ids in device memory.
    public func makeTokenBuffer(count: Int) -> TokenBuffer {
        let address = device.allocate(bytes: max(count, 1) * 4)
        let device = self.device
        return TokenBuffer(adopting: TokenPointer(bitPattern: UInt(address))!, count: count) { p in
            device.free(CUDevicePointer(UInt(bitPattern: p)))
        }
    }

    /// Sets `count` floats at `p` to zero.
    public func zero(_ p: FloatPointer, count: Int) { fill(p, count: count, value: 0) }

    /// Copies `count` floats.
    public func copy(from: FloatPointer, to: FloatPointer, count: Int) {
        guard count > 0 else { return }
        device.makeCurrent()
        device.checked(device.libraries.driver.cuMemcpyDtoDAsync(address(to), address(from), count * 4, device.stream), "cuMemcpyDtoDAsync")
    }

    /// Sets `count` floats at `p` to `value`.
    public func fill(_ p: FloatPointer, count: Int, value: Float) {
        guard count > 0 else { return }
        device.makeCurrent()
        device.checked(device.libraries.driver.cuMemsetD32Async(address(p), value.bitPattern, count, device.stream), "cuMemsetD32Async")
    }

    /// Copies host floats into device memory at `destination`.
    public func upload(_ source: UnsafeBufferPointer<Float>, to destination: FloatPointer) {
        guard let base = source.baseAddress, source.count > 0 else { return }
        device.upload(base, bytes: source.count * 4, to: address(destination))
    }

    /// Copies host token ids into device memory at `destination`.
    public func upload(_ source: UnsafeBufferPointer<Int32>, to destination: TokenPointer) {
        guard let base = source.baseAddress, source.count > 0 else { return }
        device.upload(base, bytes: source.count * 4, to: CUDevicePointer(UInt(bitPattern: destination)))
    }

    /// Copies `destination.count` floats from device memory at `source` to the host.
    public func download(_ source: FloatPointer, into destination: UnsafeMutableBufferPointer<Float>) {
        guard let base = destination.baseAddress, destination.count > 0 else { return }
        device.download(address(source), bytes: destination.count * 4, into: base)
    }

    /// The device address behind a backend pointer.
    func address(_ p: FloatPointer) -> CUDevicePointer { CUDevicePointer(UInt(bitPattern: p)) }

    /// A device scratch buffer named `key` of at least `count` floats, this thread's own (reused across calls;
    /// valid until this thread asks for the same key with a larger count). Backend calls are synchronous on
    /// their thread, so two threads' calls never share scratch.
    func scratch(_ key: String, count: Int) -> FloatPointer {
        let key = key + "#\(pthread_self())"
        stateLock.lock(); defer { stateLock.unlock() }
        if let existing = scratchBuffers[key], existing.count >= count { return existing.pointer }
        let buffer = makeBuffer(count: max(count, (scratchBuffers[key]?.count ?? 0) * 2))
        scratchBuffers[key] = buffer
        return buffer.pointer
    }
}
