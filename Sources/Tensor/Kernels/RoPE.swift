extension CPUKernels {
    /// The rotation of 8 pairs (a = x[i], b = x[i + D/2]): (a·c − b·s, b·c + a·s).
    @inline(__always)
    static func rotate(_ a: SIMD8<Float>, _ b: SIMD8<Float>, cos c: SIMD8<Float>, sin s: SIMD8<Float>)
        -> (first: SIMD8<Float>, second: SIMD8<Float>) {
        (a * c - b * s, b * c + a * s)
    }

    /// Rotates in place `heads` head vectors of D floats at the start of each row of x (row n starts at
    /// x + n·rowStride) by the angles of positions[n], Hugging Face "rotate_half" pairing (i, i + D/2):
    /// y[i] = x[i]·c − x[i+D/2]·s, y[i+D/2] = x[i+D/2]·c + x[i]·s with c, s = table.cos/sin[pos·D/2 + i].
    /// `inverse` uses −s, which is the backward pass (the rotation is orthogonal).
    public static func rope(_ x: FloatPointer, positions: TokenPointer, table: RotaryTable, rows N: Int, heads: Int,
                            headDim D: Int, rowStride: Int, inverse: Bool) {
        precondition(D % 2 == 0 && table.headDim == D,
                     "rope: head dimension \(D) does not match the rotary table's \(table.headDim)")
        let half = D / 2
        let sign = SIMD8<Float>(repeating: inverse ? -1 : 1)
        Parallel.forRanges(N, costPerItem: heads * D * 3) { rows in
            for n in rows {
                let position = Int(positions[n])
                precondition(position >= 0 && position < table.maxPositions,
                             "rope: position \(position) at row \(n) is outside the table (0..<\(table.maxPositions))")
                let cosines = table.cos.pointer + position * half  // [D/2]
                let sines = table.sin.pointer + position * half    // [D/2]
                for h in 0..<heads {
                    let first = x + n * rowStride + h * D  // [D/2]: x[0..<D/2]
                    let second = first + half              // [D/2]: x[D/2..<D]
                    var i = 0
                    while i + 8 <= half {
                        let y = rotate(first.load8(i), second.load8(i), cos: cosines.load8(i), sin: sign * sines.load8(i))
                        first.store8(y.first, i)
                        second.store8(y.second, i)
                        i += 8
                    }
                    let lanes = half - i
                    if lanes > 0 {
                        let y = rotate(first.loadPartial(i, count: lanes), second.loadPartial(i, count: lanes),
                                       cos: cosines.loadPartial(i, count: lanes),
                                       sin: sign * sines.loadPartial(i, count: lanes))
                        first.storePartial(y.first, i, count: lanes)
                        second.storePartial(y.second, i, count: lanes)
                    }
                }
            }
        }
    }
}
