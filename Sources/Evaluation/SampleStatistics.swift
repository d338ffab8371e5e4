/// The statistics `rlhf eval` reports over one policy's samples: a value's mean with its standard error,
/// the distinct-n diversity of the responses, and a histogram for the report's distributions.
package enum SampleStatistics {
    /// A mean and its standard error (the sample standard deviation, n − 1, over √n; 0 for one value).
    package struct Mean: Sendable, Equatable {
        package var mean: Double, standardError: Double, count: Int
    }

    /// The mean of `values` and its standard error; nil when there are none or one is not finite.
    package static func mean(_ values: [Double]) -> Mean? {
        guard !values.isEmpty, values.allSatisfy(\.isFinite) else { return nil }
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        guard values.count > 1 else { return Mean(mean: mean, standardError: 0, count: 1) }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        return Mean(mean: mean, standardError: (variance / n).squareRoot(), count: values.count)
    }

    /// Distinct-n (Li et al., 2016) over all `responses` together: the distinct n-grams of words
    /// (whitespace-separated, so policies with different tokenizers compare) over all n-grams; 0 when
    /// no response has n words.
    package static func distinct(_ n: Int, of responses: [String]) -> Double {
        precondition(n >= 1, "distinct-n needs n >= 1")
        var seen: Set<[Substring]> = [], total = 0
        for response in responses {
            let words = response.split(whereSeparator: \.isWhitespace)
            guard words.count >= n else { continue }
            for start in 0...(words.count - n) {
                seen.insert(Array(words[start..<start + n]))
                total += 1
            }
        }
        return total == 0 ? 0 : Double(seen.count) / Double(total)
    }

    /// `values` counted in `bins` equal bins over `range` (a value on the upper bound goes in the last
    /// bin; values outside the range or not finite are not counted).
    package static func histogram(_ values: [Double], bins: Int, range: ClosedRange<Double>) -> [Int] {
        precondition(bins >= 1, "a histogram needs a bin")
        var counts = [Int](repeating: 0, count: bins)
        let width = (range.upperBound - range.lowerBound) / Double(bins)
        for value in values where value.isFinite && range.contains(value) {
            let bin = width > 0 ? min(bins - 1, Int((value - range.lowerBound) / width)) : 0
            counts[bin] += 1
        }
        return counts
    }
}
