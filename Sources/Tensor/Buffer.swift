/// A zero-initialised, 64-byte aligned float32 allocation that frees itself.
///
/// Parameters, gradients, optimizer moments and activations each live in one `FloatBuffer`
/// (llm.c style); layers hold pointers into it.
public final class FloatBuffer: @unchecked Sendable {
    /// First element.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of floats.
    public let count: Int

    /// Allocates `count` zeroed floats.
    public init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }

    /// Sets every element to zero.
    public func zero() { pointer.update(repeating: 0, count: count) }

    /// The elements as an array (copies).
    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
