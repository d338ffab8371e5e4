/// Where one tensor lives in a safetensors file and what it holds.
public struct SafetensorsTensorInfo: Sendable, Equatable {
    /// Element type.
    public var dtype: SafetensorsDType
    /// Shape, row-major (empty for a scalar).
    public var shape: [Int]
    /// Byte range inside the data section (after the header), `[begin, end)`.
    public var dataOffsets: Range<Int>

    /// Number of elements (1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }
}
