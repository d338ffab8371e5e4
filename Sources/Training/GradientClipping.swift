import Models
import Tensor

/// Global gradient-norm clipping, like `torch.nn.utils.clip_grad_norm_` (L2, one norm over all tensors).
public enum GradientClipping {
    /// √(Σ g²) over every gradient of `store` (0 when gradients are not enabled), summed in Double.
    public static func globalNorm(of store: ParameterStore) -> Double {
        guard let gradients = store.gradients else { return 0 }
        return store.backend.sumOfSquares(gradients.pointer, count: store.count).squareRoot()
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
        store.backend.scale(gradients.pointer, count: store.count, by: Float(coefficient))
        return norm
    }

    /// √(Σ g²) over the gradients of several stores together (a trunk and its heads).
    public static func globalNorm(of stores: [ParameterStore]) -> Double {
        stores.reduce(0.0) { total, store in
            guard let g = store.gradients else { return total }
            return total + store.backend.sumOfSquares(g.pointer, count: store.count)
        }.squareRoot()
    }

    /// One global-norm clip over several stores together, as `clip_grad_norm_` over all of a model's
    /// parameter groups; returns the norm before clipping.
    @discardableResult
    public static func clipGlobalNorm(of stores: [ParameterStore], maxNorm: Double) -> Double {
        let norm = globalNorm(of: stores)
        let coefficient = maxNorm / (norm + 1e-6)
        guard coefficient < 1 || coefficient.isNaN else { return norm }
        for store in stores {
            if let g = store.gradients { store.backend.scale(g.pointer, count: store.count, by: Float(coefficient)) }
        }
        return norm
    }
}
