import Tensor

/// Preallocated keys and values of every layer for a batch being generated.
///
///     keys, values [L, B, KV, P, D]   P = capacity (prompt + new tokens)
///     mask [B, P]                     1 = real token, 0 = left padding
///
/// All rows share one length (prompts are left-padded), so one `length` says how many slots are filled.
package final class KVCache: @unchecked Sendable {
    /// Batch size B, capacity P, layers L, KV heads, head dim D.
    package let batch: Int, capacity: Int, layers: Int, kvHeads: Int, headDim: Int
    /// Slots filled so far.
    package internal(set) var length: Int = 0
    let keys: FloatBuffer
    let values: FloatBuffer
    let mask: FloatBuffer

    /// A cache for `batch` rows of up to `capacity` tokens of `config`'s model.
    package init(config: TransformerConfig, batch: Int, capacity: Int, backend: Backend = DefaultBackend.current) {
        self.batch = batch; self.capacity = capacity; layers = config.layers
        kvHeads = config.kvHeads; headDim = config.headDim
        let size = config.layers * batch * config.kvHeads * capacity * config.headDim
        keys = backend.makeBuffer(count: size)
        values = backend.makeBuffer(count: size)
        mask = backend.makeBuffer(count: batch * capacity)
    }

    /// Writes the mask [B,Tn] of `rows` rows of new tokens (nil = all real) at slots length..<length+Tn.
    func appendMask(_ mask: [Float]?, rows B: Int, length Tn: Int, backend: Backend) {
        for b in 0..<B {
            let slot = self.mask.pointer + b * capacity + length
            if let mask {
                mask.withUnsafeBufferPointer { backend.upload(UnsafeBufferPointer(rebasing: $0[(b * Tn)..<((b + 1) * Tn)]), to: slot) }
            } else {
                backend.fill(slot, count: Tn, value: 1)
            }
        }
    }

    /// Forgets every cached token (buffers are reused).
    package func reset() { length = 0 }

    /// Floats per layer.
    var layerStride: Int { batch * kvHeads * capacity * headDim }

    /// The view of layer `l` that the attention kernel reads and writes.
    func slot(layer l: Int) -> KVCacheSlot {
        KVCacheSlot(keys: keys.pointer + l * layerStride, values: values.pointer + l * layerStride,
                    mask: mask.pointer, past: length, capacity: capacity)
    }
}
