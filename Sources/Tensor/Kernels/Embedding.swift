extension CPUKernels {
    /// out[N,C] = table[ids[n], C] (or += when `accumulate`); table is [V,C], ids[N] in 0..<V.
    public static func embeddingForward(out: FloatPointer, ids: TokenPointer, table: FloatPointer, rows N: Int,
                                        channels C: Int, accumulate: Bool) {
        Parallel.forRanges(N, costPerItem: C) { rows in
            for n in rows {
                let id = Int(ids[n])
                precondition(id >= 0, "embedding id \(id) at row \(n) is negative")
                let source = table + id * C  // [C]
                let target = out + n * C     // [C]
                if accumulate {
                    var c = 0
                    while c + 8 <= C { target.store8(target.load8(c) + source.load8(c), c); c += 8 }
                    while c < C { target[c] += source[c]; c += 1 }
                } else {
                    target.update(from: source, count: C)
                }
            }
        }
    }

    /// dTable[V,C] += scatter of dOut[N,C] by ids[N].
    ///
    /// Each worker owns a block of channels and walks every row in order, so repeated ids never race
    /// and the sum order is the same for any thread count.
    public static func embeddingBackward(dTable: FloatPointer, dOut: FloatPointer, ids: TokenPointer, rows N: Int,
                                         channels C: Int) {
        Parallel.forRanges(C, costPerItem: N) { channels in
            let lo = channels.lowerBound, hi = channels.upperBound
            for n in 0..<N {
                let id = Int(ids[n])
                precondition(id >= 0, "embedding id \(id) at row \(n) is negative")
                let gradient = dOut + n * C  // [C]
                let target = dTable + id * C // [C]
                var c = lo
                while c + 8 <= hi { target.store8(target.load8(c) + gradient.load8(c), c); c += 8 }
                while c < hi { target[c] += gradient[c]; c += 1 }
            }
        }
    }
}
