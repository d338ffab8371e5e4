import CKernels

extension CPUKernels {
    /// Rows at or below this count take `skinnyMatmulForward` instead of `sgemm`: with so few rows a
    /// product is bound by reading the weight once, and `sgemm` spends most of its time packing it.
    static let skinnyRowLimit = 16

    /// out[M,OC] = input[M,C] · weight[OC,C]ᵀ (+ bias[OC]) for small M (decoding).
    ///
    /// Bound by memory: each worker streams its block of weight rows once, front to back, and dots every
    /// row with up to 8 input rows while it is in registers. The input tile is first packed as
    /// packed[C/8][8 rows][8 lanes], so the loop reads two sequential streams (weight, packed input) and
    /// the hardware prefetcher keeps the weight stream ahead. M > 8 takes one more pass per 8 rows.
    static func skinnyMatmulForward(out: FloatPointer, input: FloatPointer, weight: FloatPointer,
                                           bias: FloatPointer?, rows M: Int, inFeatures C: Int, outFeatures OC: Int) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: rlhf_skinny_packed_count(C)) { packedBuffer in
            let packed = packedBuffer.baseAddress!  // [C/8][8][8]
            var m = 0
            while m < M {
                let tile = min(8, M - m)
                let rows = input + m * C, target = out + m * OC  // [tile,C], [tile,OC]
                rlhf_skinny_pack(packed, rows, tile, C)
                Parallel.forRanges(OC, costPerItem: C * 8, minimumWork: 1 << 16) { range in
                    rlhf_skinny_rows(target, rows, packed, weight, tile, C, OC, range.lowerBound, range.upperBound)
                }
                m += tile
            }
        }
        if let bias {
            Parallel.forRanges(M, costPerItem: OC) { rows in
                for m in rows { rlhf_add(out + m * OC, out + m * OC, bias, 0, OC) }
            }
        }
    }
}
