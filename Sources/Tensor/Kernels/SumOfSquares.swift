import CKernels

extension CPUKernels {
    /// Σ x² over x[count], in Double (per-worker vector partial sums, added in worker order).
    public static func sumOfSquares(_ x: FloatPointer, count: Int) -> Double {
        let maxWorkers = max(1, Parallel.threadCount)
        var partials = [Double](repeating: 0, count: maxWorkers)
        let workers = partials.withUnsafeMutableBufferPointer { partials in
            let partials = partials.baseAddress!
            return Parallel.forRangesIndexed(count) { worker, range in
                partials[worker] = rlhf_sum_of_squares(x, range.lowerBound, range.upperBound)
            }
        }
        return partials[0..<workers].reduce(0, +)
    }

    /// x[count] *= factor.
    public static func scale(_ x: FloatPointer, count: Int, by factor: Float) {
        Parallel.forRanges(count) { range in rlhf_scale(x, factor, range.lowerBound, range.upperBound) }
    }
}
