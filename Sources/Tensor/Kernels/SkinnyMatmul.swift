import CKernelSupport

extension CPUKernels {
    /// Rows at or below this count take `skinnyMatmulForward` instead of `sgemm`: with so few rows a
    /// product is bound by reading the weight once, and `sgemm` spends most of its time packing it.
    public static let skinnyRowLimit = 16

    /// out[M,OC] = input[M,C] · weight[OC,C]ᵀ (+ bias[OC]) for small M (decoding).
    ///
    /// Bound by memory: each worker streams its block of weight rows once, front to back, and dots every
    /// row with up to 8 input rows while it is in registers. The input tile is first packed as
    /// packed[C/8][8 rows][8 lanes], so the loop reads two sequential streams (weight, packed input) and
    /// the hardware prefetcher keeps the weight stream ahead. M > 8 takes one more pass per 8 rows.
    public static func skinnyMatmulForward(out: FloatPointer, input: FloatPointer, weight: FloatPointer,
                                           bias: FloatPointer?, rows M: Int, inFeatures C: Int, outFeatures OC: Int) {
        let chunks = C / 8, tailStart = chunks * 8
        withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, chunks * 64)) { packedBuffer in
            let packed = packedBuffer.baseAddress!
            var m = 0
            while m < M {
                let tile = min(8, M - m)
                // packed[k][i][lane] = input[m+i][8k+lane]; rows past the tile are zero
                for k in 0..<chunks {
                    for i in 0..<8 {
                        let dst = packed + (k * 8 + i) * 8
                        if i < tile { dst.store8((input + (m + i) * C).load8(k * 8), 0) } else { dst.store8(SIMD8(repeating: 0), 0) }
                    }
                }
                let rowBase = m
                Parallel.forRanges(OC, costPerItem: C * 8, minimumWork: 1 << 16) { range in
                    for o in range {
                        var sums = dotPacked(weight + o * C, packed, chunks: chunks)
                        for c in tailStart..<C {
                            let u = weight[o * C + c]
                            for i in 0..<tile { sums[i] += u * input[(rowBase + i) * C + c] }
                        }
                        for i in 0..<tile { out[(rowBase + i) * OC + o] = sums[i] }
                    }
                }
                m += tile
            }
        }
        if let bias {
            Parallel.forRanges(M, costPerItem: OC) { rows in
                for m in rows { for o in 0..<OC { out[m * OC + o] += bias[o] } }
            }
        }
    }

    /// [Σ_c w[c]·x_i[c] for i in 0..<8] over `chunks`·8 columns, x packed as [chunk][row][lane].
    @inline(__always)
    private static func dotPacked(_ w: FloatPointer, _ packed: FloatPointer, chunks: Int) -> SIMD8<Float> {
        let zero = SIMD8<Float>(repeating: 0)
        var a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero, a6 = zero, a7 = zero
        var p = packed
        for k in 0..<chunks {
            // the weight row is read once from memory: request lines ~8 KiB ahead into L2 (prefetching into
            // L1 evicts the packed input and halves the speed)
            if k & 1 == 0 { rlhf_prefetch_l2(w + k * 8 + 2048) }
            let u = w.load8(k * 8)
            a0 = a0.addingProduct(u, p.load8(0)); a1 = a1.addingProduct(u, p.load8(8))
            a2 = a2.addingProduct(u, p.load8(16)); a3 = a3.addingProduct(u, p.load8(24))
            a4 = a4.addingProduct(u, p.load8(32)); a5 = a5.addingProduct(u, p.load8(40))
            a6 = a6.addingProduct(u, p.load8(48)); a7 = a7.addingProduct(u, p.load8(56))
            p += 64
        }
        return SIMD8(a0.sum(), a1.sum(), a2.sum(), a3.sum(), a4.sum(), a5.sum(), a6.sum(), a7.sum())
    }
}
