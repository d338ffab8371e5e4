import Models
import Tensor

/// Global gradient-norm clipping, like `torch.nn.utils.clip_grad_norm_` (L2, one norm over all tensors).
public enum GradientClipping {
    /// √(Σ g²) over every gradient of `store` (0 when gradients are not enabled), summed in Double.
    public static func globalNorm(of store: ParameterStore) -> Double {
        guard let gradients = store.gradients else { return 0 }
        return sumOfSquares(gradients.pointer, count: store.count).squareRoot()
    }

    /// Scales all gradients by maxNorm / (norm + 1e-6) when that factor is below 1; returns the norm
    /// before clipping (log it: a growing norm is the first sign of a diverging run).
    ///
    /// As in PyTorch, a non-finite norm is returned as is and turns the gradients non-finite or zero;
    /// check the returned norm before stepping if the run should skip such batches.
    @discardableResult
    public static func clipGlobalNorm(of store: ParameterStore, maxNorm: Double) -> Double {
        let norm = globalNorm(of: store)
        let coefficient = maxNorm / (norm + 1e-6)
        guard coefficient < 1 || coefficient.isNaN, let gradients = store.gradients else { return norm }
        scale(gradients.pointer, count: store.count, by: Float(coefficient))
        return norm
    }

    /// Σ x² over x[count], in Double (per-worker SIMD partial sums).
    static func sumOfSquares(_ x: FloatPointer, count: Int) -> Double {
        let maxWorkers = max(1, Parallel.threadCount)
        var partials = [Double](repeating: 0, count: maxWorkers)
        let workers = partials.withUnsafeMutableBufferPointer { partials in
            let partials = partials.baseAddress!
            return Parallel.forRangesIndexed(count) { worker, range in
                var lanes = SIMD8<Double>()
                var i = range.lowerBound
                while i + 8 <= range.upperBound {
                    let v = SIMD8<Double>(UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self))
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
    static func scale(_ x: FloatPointer, count: Int, by factor: Float) {
        Parallel.forRanges(count) { range in
            let f = SIMD8<Float>(repeating: factor)
            var i = range.lowerBound
            while i + 8 <= range.upperBound {
                let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(x + i).storeBytes(of: v * f, as: SIMD8<Float>.self)
                i += 8
            }
            while i < range.upperBound { x[i] *= factor; i += 1 }
        }
    }
}
