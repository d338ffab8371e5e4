/// A zero-initialised, 64-byte aligned Int32 allocation (token ids, positions, targets) that frees itself.
///
/// The integer counterpart of `FloatBuffer`: a backend hands these out with `makeTokenBuffer`, and the
/// host fills them only through `Backend.upload`.
public final class TokenBuffer: @unchecked Sendable {
    /// First element.
    public let pointer: UnsafeMutablePointer<Int32>
    /// Number of ids.
    public let count: Int

    /// Allocates `count` zeroed ids.
    public init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Int32>.stride, alignment: 64)
        pointer = raw.bindMemory(to: Int32.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }
}
