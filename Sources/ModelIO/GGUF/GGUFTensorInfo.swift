/// One entry of a GGUF file's tensor index.
package struct GGUFTensorInfo: Sendable, Equatable {
    /// The tensor's GGUF name, e.g. `blk.0.attn_q.weight`.
    package var name: String
    /// ggml's `ne[]`: `dimensions[0]` varies fastest (the number of columns).
    package var dimensions: [Int]
    /// Storage type.
    package var type: GGUFTensorType
    /// Byte offset of the data from the start of the file's data section.
    package var offset: Int

    /// Creates an index entry.
    package init(name: String, dimensions: [Int], type: GGUFTensorType, offset: Int) {
        self.name = name; self.dimensions = dimensions; self.type = type; self.offset = offset
    }

    /// Row-major shape (`dimensions` reversed), e.g. [out, in] for a projection.
    package var shape: [Int] { dimensions.reversed() }
    /// Number of elements.
    package var elementCount: Int { dimensions.reduce(1, *) }
    /// Elements per row (`ne[0]`).
    package var rowLength: Int { dimensions.first ?? 1 }
    /// Number of rows (all dimensions but the first, multiplied).
    package var rowCount: Int { dimensions.dropFirst().reduce(1, *) }
    /// Bytes of one row in the file.
    package var rowBytes: Int { rowLength / type.blockLayout.elements * type.blockLayout.bytes }
    /// Bytes of the whole tensor in the file.
    package var byteCount: Int { rowBytes * rowCount }
}
