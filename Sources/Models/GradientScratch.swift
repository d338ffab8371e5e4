import Tensor

/// Buffers the backward pass reuses block after block (N = B·T rows).
final class GradientScratch {
    /// gradient flowing along the residual stream [N,C]
    let residual: FloatPointer
    /// gradient of a norm's output [N,C]
    let norm: FloatPointer
    /// gradient of the fused q|k|v [N,Q]
    let qkv: FloatPointer
    /// gradient of the attention output [N,A]
    let attnOut: FloatPointer
    /// gradient of the MLP hidden [N, 2F] (Llama gate|up) or [N,F]
    let hidden: FloatPointer
    /// gradient of the MLP hidden after its activation [N,F]
    let hiddenPost: FloatPointer
    /// attention backward scratch [B,H,T,T]
    let attention: FloatPointer
    /// Floats in `hidden` (scratch a head may borrow before the blocks run).
    let hiddenCapacity: Int
    /// The batch shape these buffers serve.
    let batch: Int, length: Int
    private let storage: FloatBuffer

    /// With `recycling`, the old scratch's memory is taken over (cleared) when it is large enough.
    init(config c: TransformerConfig, batch B: Int, length T: Int, backend: Backend, recycling old: GradientScratch? = nil) {
        batch = B; length = T
        let N = B * T
        hiddenCapacity = N * 2 * c.ffnWidth
        let sizes = [N * c.width, N * c.width, N * c.qkvWidth, N * c.attentionWidth, N * 2 * c.ffnWidth,
                     N * c.ffnWidth, B * c.heads * T * T]
        let total = sizes.reduce(0, +)
        if let old, old.storage.count >= total {
            storage = old.storage
            backend.zero(storage.pointer, count: total)
        } else {
            storage = backend.makeBuffer(count: total)
        }
        var p = storage.pointer
        var parts: [FloatPointer] = []
        for s in sizes { parts.append(p); p += s }
        residual = parts[0]; norm = parts[1]; qkv = parts[2]; attnOut = parts[3]; hidden = parts[4]
        hiddenPost = parts[5]; attention = parts[6]
    }
}
