import CKernels

extension CPUKernels {
    /// Σ x² over x[count], in Double: vector partial sums over fixed 65,536-element blocks, added in block order.
    static func sumOfSquares(_ x: FloatPointer, count: Int) -> Double {
        // fixed blocks, summed in block order: the same bits whatever the thread count (a learner pinned
        // to one core and one running on all of them clip their gradients alike)
        let block = 1 << 16
        let blocks = (count + block - 1) / block
        var partials = [Double](repeating: 0, count: max(blocks, 1))
        partials.withUnsafeMutableBufferPointer { partials in
            let partials = partials.baseAddress!
            Parallel.forRanges(blocks) { range in
                for b in range { partials[b] = rlhf_sum_of_squares(x, b * block, min((b + 1) * block, count)) }
            }
        }
        return partials.reduce(0, +)
    }

    /// x[count] *= factor.
    static func scale(_ x: FloatPointer, count: Int, by factor: Float) {
        Parallel.forRanges(count) { range in rlhf_scale(x, factor, range.lowerBound, range.upperBound) }
    }
}
