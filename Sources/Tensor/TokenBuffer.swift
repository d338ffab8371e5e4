/// A zero-initialised, 64-byte aligned Int32 allocation (token ids, positions, targets) that frees itself.
///
/// The integer counterpart of `FloatBuffer`: a backend hands these out with `makeTokenBuffer`, and the
/// host fills them only through `Backend.upload`.
public final class TokenBuffer: @unchecked Sendable {
    /// First element.
    public let pointer: UnsafeMutablePointer<Int32>
    /// Number of ids.
    public let count: Int
    /// Frees memory this buffer adopted from another backend (device memory); nil for host memory.
    private let release: (@Sendable (UnsafeMutablePointer<Int32>) -> Void)?

    /// Allocates `count` zeroed ids.
    public init(count: Int) {
        self.count = count
        release = nil
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Int32>.stride, alignment: 64)
        pointer = raw.bindMemory(to: Int32.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    /// Adopts `count` ids of a backend's own memory (a GPU's), freed by `release` when the buffer goes.
    public init(adopting pointer: UnsafeMutablePointer<Int32>, count: Int, release: @escaping @Sendable (UnsafeMutablePointer<Int32>) -> Void) {
        self.pointer = pointer; self.count = count; self.release = release
    }

    deinit {
        if let release { release(pointer) } else { UnsafeMutableRawPointer(pointer).deallocate() }
    }
}
