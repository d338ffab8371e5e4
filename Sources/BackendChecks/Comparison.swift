/// One output of one case compared between the backends: its worst error and the bound it had to meet.
package struct Comparison: Sendable, Equatable {
    /// The output's name (`out`, `dWeight`, `tokens`).
    package var output: String
    /// The worst error (see the constructors for each measure); +∞ for a NaN or a length mismatch.
    package var error: Double
    /// The largest error that passes.
    package var bound: Double
    /// Where the worst error is, for the report ("element 17: 0.25 vs 0.2503").
    package var detail: String

    /// Whether the error is within the bound (never for NaN).
    package var passed: Bool { error <= bound }

    /// Float outputs: the largest over elements of
    ///
    ///     |candidate[i] − reference[i]| / max(|reference[i]|, rms(reference), magnitudes[i])
    ///
    /// A purely relative measure fails honest kernels wherever a sum cancels to near zero (a product or
    /// gradient element the size of its rounding); a fixed absolute floor (say 1) makes small tensors
    /// (gradients of 1e-3) pass anything. The output's own root-mean-square is the scale its rounding
    /// errors are made at, so it is the floor: elements at or above it are held to relative error, the
    /// ones below it to `bound`·rms absolute. Where an element is by its formula a difference of larger
    /// terms (a log-probability is a logit minus a log-sum-exp; the entropy gradient is p·(log p + H)), its
    /// rounding error is relative to those terms, and the case passes their size as `magnitudes[i]`.
    /// A reference of all zeros (and no magnitudes) makes the floor the smallest normal float, so any
    /// nonzero candidate fails. NaN or infinity on either side fails.
    package static func floats(_ output: String, candidate: [Float], reference: [Float], magnitudes: [Double]? = nil,
                               bound: Double) -> Comparison {
        guard candidate.count == reference.count, magnitudes.map({ $0.count == reference.count }) ?? true else {
            return Comparison(output: output, error: .infinity, bound: bound,
                              detail: "\(candidate.count) floats vs \(reference.count)")
        }
        var squares = 0.0
        for r in reference { squares += Double(r) * Double(r) }
        let rms = reference.isEmpty ? 0 : (squares / Double(reference.count)).squareRoot()
        let floor = max(rms, Double(Float.leastNormalMagnitude))
        var worst = 0.0, worstIndex = -1
        for i in 0..<reference.count {
            let c = Double(candidate[i]), r = Double(reference[i])
            let scale = max(abs(r), floor, magnitudes?[i] ?? 0)
            let e = c.isFinite && r.isFinite ? abs(c - r) / scale : .infinity
            if e > worst || (worstIndex < 0 && e == worst) { worst = e; worstIndex = i }
        }
        let detail = worstIndex < 0 ? "" : "element \(worstIndex): \(candidate[worstIndex]) vs \(reference[worstIndex])"
        return Comparison(output: output, error: worst, bound: bound, detail: detail)
    }

    /// Values that must match exactly (tokens, generator states): the error is the number of mismatches.
    package static func exact<T: Equatable>(_ output: String, candidate: [T], reference: [T]) -> Comparison {
        guard candidate.count == reference.count else {
            return Comparison(output: output, error: .infinity, bound: 0, detail: "\(candidate.count) values vs \(reference.count)")
        }
        let mismatches = zip(candidate, reference).indices(where: !=)
        let detail = mismatches.first.map { "index \($0): \(candidate[$0]) vs \(reference[$0])" } ?? ""
        return Comparison(output: output, error: Double(mismatches.count), bound: 0, detail: detail)
    }

    /// A Double result: |candidate − reference| / max(|reference|, smallest normal).
    package static func double(_ output: String, candidate: Double, reference: Double, bound: Double) -> Comparison {
        let e = candidate.isFinite && reference.isFinite
            ? abs(candidate - reference) / max(abs(reference), Double.leastNormalMagnitude) : .infinity
        return Comparison(output: output, error: e, bound: bound, detail: "\(candidate) vs \(reference)")
    }
}

extension Zip2Sequence {
    /// Offsets of the pairs for which `differ` holds.
    fileprivate func indices(where differ: (Sequence1.Element, Sequence2.Element) -> Bool) -> [Int] {
        enumerated().compactMap { differ($0.element.0, $0.element.1) ? $0.offset : nil }
    }
}
