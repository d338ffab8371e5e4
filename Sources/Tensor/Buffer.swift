#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A zero-initialised, 64-byte aligned float32 allocation that frees itself.
///
/// Parameters, gradients, optimizer moments and activations each live in one `FloatBuffer`
/// (llm.c style); layers hold pointers into it. Buffers of 1 MiB and more come straight from anonymous
/// `mmap`: page-aligned, zeroed by the kernel on first touch, so allocating a large model costs nothing
/// until its pages are written.
public final class FloatBuffer: @unchecked Sendable {
    /// First element.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of floats.
    public let count: Int
    private let mappedBytes: Int
    /// Frees memory this buffer adopted from another backend (device memory); nil for host memory.
    private let release: (@Sendable (UnsafeMutablePointer<Float>) -> Void)?

    /// Allocates `count` zeroed floats.
    public init(count: Int) {
        self.count = count
        release = nil
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        if bytes >= 1 << 20, let mapped = Self.mapZeroedPages(bytes) {
            mappedBytes = bytes
            pointer = mapped.bindMemory(to: Float.self, capacity: max(count, 1))
        } else {
            mappedBytes = 0
            let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
            pointer.initialize(repeating: 0, count: max(count, 1))
        }
    }

    /// Adopts `count` floats of a backend's own memory (a GPU's), freed by `release` when the buffer goes.
    /// Only that backend reads or writes them; `zero()` and `array` are for host buffers.
    public init(adopting pointer: UnsafeMutablePointer<Float>, count: Int, release: @escaping @Sendable (UnsafeMutablePointer<Float>) -> Void) {
        self.pointer = pointer; self.count = count; self.release = release; mappedBytes = 0
    }

    deinit {
        if let release {
            release(pointer)
        } else if mappedBytes > 0 {
            munmap(UnsafeMutableRawPointer(pointer), mappedBytes)
        } else {
            UnsafeMutableRawPointer(pointer).deallocate()
        }
    }

    /// Sets every element to zero.
    public func zero() { pointer.update(repeating: 0, count: count) }

    /// The elements as an array (copies).
    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// Anonymous private pages (zero-filled by the kernel), or nil if the mapping fails.
    private static func mapZeroedPages(_ bytes: Int) -> UnsafeMutableRawPointer? {
        let p = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let p, p != MAP_FAILED else { return nil }
        return p
    }
}
