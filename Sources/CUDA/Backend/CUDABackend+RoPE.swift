import Tensor

extension CUDABackend {
    /// Rotates, in place, `heads` vectors of size D per row of x (row n starts at x + n·rowStride) by the
    /// angles of positions[n] (Hugging Face "rotate_half" pairing (i, i + D/2)); `inverse` rotates back
    /// (the backward pass).
    ///
    /// The host table's cos/sin are uploaded once per table and kept, by the table's identity, in
    /// `rotaryTables` (which holds the table too, so its identity cannot be reused).
    public func rope(_ x: FloatPointer, positions: TokenPointer, table: RotaryTable, rows: Int, heads: Int,
                     headDim: Int, rowStride: Int, inverse: Bool) {
        precondition(headDim % 2 == 0 && table.headDim == headDim,
                     "rope: head dimension \(headDim) does not match the rotary table's \(table.headDim)")
        guard rows > 0, heads > 0, headDim > 0 else { return }
        let tables = deviceRotaryTable(table)
        device.launch("rlhf_rope", .covering(rows * heads * headDim / 2), [
            .floats(x), .ints(positions), .floats(tables.cos.pointer), .floats(tables.sin.pointer), .int(rows),
            .int(heads), .int(headDim), .int64(Int64(rowStride)), .int(table.maxPositions), .flag(inverse),
        ])
    }

    /// The device copy of a host rotary table's cos/sin [P, D/2], uploaded on first use.
    func deviceRotaryTable(_ table: RotaryTable) -> (table: RotaryTable, cos: FloatBuffer, sin: FloatBuffer) {
        let key = ObjectIdentifier(table)
        stateLock.lock(); defer { stateLock.unlock() }
        if let cached = rotaryTables[key] { return cached }
        let cos = makeBuffer(count: table.cos.count), sin = makeBuffer(count: table.sin.count)
        upload(UnsafeBufferPointer(start: table.cos.pointer, count: table.cos.count), to: cos.pointer)
        upload(UnsafeBufferPointer(start: table.sin.pointer, count: table.sin.count), to: sin.pointer)
        let entry = (table: table, cos: cos, sin: sin)
        rotaryTables[key] = entry
        return entry
    }
}
