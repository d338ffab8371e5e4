extension CPUKernels {
    /// Σ x² over x[count], in Double (per-worker SIMD partial sums).
    public static func sumOfSquares(_ x: FloatPointer, count: Int) -> Double {
        let maxWorkers = max(1, Parallel.threadCount)
        var partials = [Double](repeating: 0, count: maxWorkers)
        let workers = partials.withUnsafeMutableBufferPointer { partials in
            let partials = partials.baseAddress!
            return Parallel.forRangesIndexed(count) { worker, range in
                var lanes = SIMD8<Double>()
                var i = range.lowerBound
                while i + 8 <= range.upperBound {
                    let v = SIMD8<Double>(x.load8(i))
                    lanes += v * v
                    i += 8
                }
                var sum = lanes.sum()
                while i < range.upperBound { sum += Double(x[i]) * Double(x[i]); i += 1 }
                partials[worker] = sum
            }
        }
        return partials[0..<workers].reduce(0, +)
    }

    /// x[count] *= factor.
    public static func scale(_ x: FloatPointer, count: Int, by factor: Float) {
        Parallel.forRanges(count) { range in
            let f = SIMD8<Float>(repeating: factor)
            var i = range.lowerBound
            while i + 8 <= range.upperBound { x.store8(x.load8(i) * f, i); i += 8 }
            while i < range.upperBound { x[i] *= factor; i += 1 }
        }
    }
}
