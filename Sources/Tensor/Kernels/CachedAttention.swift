import CKernels

extension CPUKernels {
    /// See `Backend.cachedAttention`. One task per (batch row, KV head): it writes that head's new keys
    /// and values into the cache, then serves every query head of its group (`rlhf_cached_attention`).
    static func cachedAttention(out: FloatPointer, qkv: FloatPointer, cache: KVCacheSlot, shape: AttentionShape) {
        let Tn = shape.length, D = shape.headDim, H = shape.heads, KV = shape.kvHeads
        let group = H / KV, P = cache.capacity, past = cache.past
        precondition(past + Tn <= P, "KV cache overflow: \(past + Tn) > \(P)")
        var dims = rlhf_cached_attention_dims(new_tokens: Tn, heads: H, kv_heads: KV, head_dim: D, capacity: P, past: past)
        Parallel.forRanges(shape.batch * KV, costPerItem: group * Tn * (past + Tn) * D, minimumWork: 1 << 16) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: P) { scores in  // [P]
                rlhf_cached_attention(out, qkv, cache.keys, cache.values, cache.mask, scores.baseAddress!, &dims,
                                      range.lowerBound, range.upperBound)
            }
        }
    }
}
