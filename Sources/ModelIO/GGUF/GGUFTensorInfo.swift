/// One entry of a GGUF file's tensor index.
public struct GGUFTensorInfo: Sendable, Equatable {
    /// The tensor's GGUF name, e.g. `blk.0.attn_q.weight`.
    public var name: String
    /// ggml's `ne[]`: `dimensions[0]` varies fastest (the number of columns).
    public var dimensions: [Int]
    /// Storage type.
    public var type: GGUFTensorType
    /// Byte offset of the data from the start of the file's data section.
    public var offset: Int

    /// Creates an index entry.
    public init(name: String, dimensions: [Int], type: GGUFTensorType, offset: Int) {
        self.name = name; self.dimensions = dimensions; self.type = type; self.offset = offset
    }

    /// Row-major shape (`dimensions` reversed), e.g. [out, in] for a projection.
    public var shape: [Int] { dimensions.reversed() }
    /// Number of elements.
    public var elementCount: Int { dimensions.reduce(1, *) }
    /// Elements per row (`ne[0]`).
    public var rowLength: Int { dimensions.first ?? 1 }
    /// Number of rows (all dimensions but the first, multiplied).
    public var rowCount: Int { dimensions.dropFirst().reduce(1, *) }
    /// Bytes of one row in the file.
    public var rowBytes: Int { rowLength / type.blockLayout.elements * type.blockLayout.bytes }
    /// Bytes of the whole tensor in the file.
    public var byteCount: Int { rowBytes * rowCount }
}
