import CKernels

extension CPUKernels {
    /// Rotates in place `heads` head vectors of D floats at the start of each row of x (row n starts at
    /// x + n·rowStride) by the angles of positions[n], Hugging Face "rotate_half" pairing (i, i + D/2):
    /// y[i] = x[i]·c − x[i+D/2]·s, y[i+D/2] = x[i+D/2]·c + x[i]·s with c, s = table.cos/sin[pos·D/2 + i].
    /// `inverse` uses −s, which is the backward pass (the rotation is orthogonal).
    static func rope(_ x: FloatPointer, positions: TokenPointer, table: RotaryTable, rows N: Int, heads: Int,
                            headDim D: Int, rowStride: Int, inverse: Bool) {
        precondition(D % 2 == 0 && table.headDim == D,
                     "rope: head dimension \(D) does not match the rotary table's \(table.headDim)")
        for n in 0..<N {
            let position = Int(positions[n])
            precondition(position >= 0 && position < table.maxPositions,
                         "rope: position \(position) at row \(n) is outside the table (0..<\(table.maxPositions))")
        }
        Parallel.forRanges(N, costPerItem: heads * D * 3) { rows in
            rlhf_rope(x, positions, table.cos.pointer, table.sin.pointer, heads, D, rowStride, inverse ? 1 : 0,
                      rows.lowerBound, rows.upperBound)
        }
    }
}
