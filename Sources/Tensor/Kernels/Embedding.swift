import CKernels

extension CPUKernels {
    /// Checks that every id in ids[N] is non-negative (the table bound is the caller's contract).
    static func checkIDs(_ ids: TokenPointer, rows N: Int) {
        for n in 0..<N { precondition(ids[n] >= 0, "embedding id \(ids[n]) at row \(n) is negative") }
    }

    /// out[N,C] = table[ids[n], C] (or += when `accumulate`); table is [V,C], ids[N] in 0..<V.
    static func embeddingForward(out: FloatPointer, ids: TokenPointer, table: FloatPointer, rows N: Int,
                                        channels C: Int, accumulate: Bool) {
        checkIDs(ids, rows: N)
        Parallel.forRanges(N, costPerItem: C) { rows in
            rlhf_embedding_forward(out, ids, table, C, accumulate ? 1 : 0, rows.lowerBound, rows.upperBound)
        }
    }

    /// dTable[V,C] += scatter of dOut[N,C] by ids[N].
    ///
    /// Each worker owns a block of channels and walks every row in order, so repeated ids never race
    /// and the sum order is the same for any thread count.
    static func embeddingBackward(dTable: FloatPointer, dOut: FloatPointer, ids: TokenPointer, rows N: Int,
                                         channels C: Int) {
        checkIDs(ids, rows: N)
        Parallel.forRanges(C, costPerItem: N) { channels in
            rlhf_embedding_backward(dTable, dOut, ids, N, C, channels.lowerBound, channels.upperBound)
        }
    }
}
