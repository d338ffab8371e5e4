/// Means, variances and whitening over the unmasked entries of a per-token array, as TRL's
/// `masked_mean`, `masked_var` (unbiased) and `masked_whiten` compute them. Accumulated in Double.
///
/// Arrays are flat [B·T] (row-major), `mask` [B·T] is 1 for response tokens and 0 elsewhere.
package enum MaskedStatistics {
    /// Σ x·m / Σ m (0 when nothing is unmasked).
    package static func mean(_ x: [Float], mask: [Float]) -> Double {
        var total = 0.0, count = 0.0
        for i in x.indices { total += Double(x[i]) * Double(mask[i]); count += Double(mask[i]) }
        return count > 0 ? total / count : 0
    }

    /// The masked variance around the masked mean, with Bessel's correction (Σm / (Σm − 1)) when
    /// `unbiased` (0 when fewer than two entries are unmasked).
    package static func variance(_ x: [Float], mask: [Float], unbiased: Bool = true) -> Double {
        let mu = mean(x, mask: mask)
        var total = 0.0, count = 0.0
        for i in x.indices {
            let d = Double(x[i]) - mu
            total += d * d * Double(mask[i])
            count += Double(mask[i])
        }
        guard count > 0 else { return 0 }
        let biased = total / count
        guard unbiased else { return biased }
        return count > 1 ? biased * count / (count - 1) : 0
    }

    /// (x − mean) / √(var + 1e-8) over the unmasked entries; with `shiftMean` false the mean is added
    /// back (reward whitening that keeps the mean). Masked entries come out as computed, not zeroed.
    package static func whiten(_ x: [Float], mask: [Float], shiftMean: Bool = true) -> [Float] {
        let mu = mean(x, mask: mask), scale = 1 / (variance(x, mask: mask) + 1e-8).squareRoot()
        return x.map { Float((Double($0) - mu) * scale + (shiftMean ? 0 : mu)) }
    }
}
