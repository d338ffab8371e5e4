import Tensor

extension CUDABackend {
    /// Threads per attention block: four warps, a warp per key for the dot products.
    static let attentionThreads = 128

    /// Multi-head attention with grouped key/value heads, causal or bidirectional as `shape.causal` says.
    /// qkv[B,T,(H+2KV)·D] → out[B,T,H·D]; saves probabilities att[B,H,T,T].
    /// keyMask[B,T] (1 = real token, 0 = padding) or nil.
    ///
    /// One block per (query, head, batch row) (`rlhf_attention_forward`), the CPU kernel's softmax: masked and
    /// future keys get probability 0, a query that sees no key gets zero probabilities and a zero output.
    public func attentionForward(out: FloatPointer, att: FloatPointer, qkv: FloatPointer, keyMask: FloatPointer?,
                                 shape: AttentionShape) {
        let B = shape.batch, T = shape.length, H = shape.heads, D = shape.headDim
        guard B > 0, T > 0, H > 0, D > 0 else { return }
        device.launch("rlhf_attention_forward", attentionRows(shape, sharedFloats: D), [
            .floats(out), .floats(att), .floats(qkv), .floats(keyMask), .int(T), .int(H), .int(shape.kvHeads), .int(D),
            .flag(shape.causal), .float(attentionScale(D)),
        ])
    }

    /// dQKV[B,T,(H+2KV)·D] (=) from dOut[B,T,H·D]; `scratch` holds B·H·T·T floats.
    ///
    /// Three kernels: dScores per query row into `scratch`, then dQ one thread per output float, then dK and dV
    /// one thread per output float summing the group's heads and the queries in a fixed order (no atomics).
    public func attentionBackward(dQKV: FloatPointer, dOut: FloatPointer, qkv: FloatPointer, att: FloatPointer,
                                  scratch: FloatPointer, shape: AttentionShape) {
        let B = shape.batch, T = shape.length, H = shape.heads, KV = shape.kvHeads, D = shape.headDim
        guard B > 0, T > 0, H > 0, D > 0 else { return }
        device.launch("rlhf_attention_backward_scores", attentionRows(shape, sharedFloats: D), [
            .floats(scratch), .floats(att), .floats(dOut), .floats(qkv), .int(T), .int(H), .int(KV), .int(D),
            .flag(shape.causal), .float(attentionScale(D)),
        ])
        device.launch("rlhf_attention_backward_query", .covering(B * T * H * D), [
            .floats(dQKV), .floats(scratch), .floats(qkv), .int(B), .int(T), .int(H), .int(KV), .int(D), .flag(shape.causal),
        ])
        device.launch("rlhf_attention_backward_key_value", .covering(B * KV * T * D), [
            .floats(dQKV), .floats(scratch), .floats(att), .floats(dOut), .floats(qkv), .int(B), .int(T), .int(H), .int(KV),
            .int(D), .flag(shape.causal),
        ])
    }

    /// Incremental attention for generation: appends the k/v heads of qkv[B,Tn,(H+2KV)·D] to the cache at
    /// positions past..<past+Tn, then attends each new query to cached keys 0...(past + its index)
    /// whose mask is 1 (the caller has written the new tokens' mask). out[B,Tn,H·D]. `shape.length` = Tn.
    ///
    /// Two launches on the one stream, so every append lands before any query reads the cache. Scores sit in
    /// shared memory while past+Tn floats fit in 48 KiB with the query, else in a device scratch [B,H,Tn,past+Tn].
    public func cachedAttention(out: FloatPointer, qkv: FloatPointer, cache: KVCacheSlot, shape: AttentionShape) {
        let B = shape.batch, Tn = shape.length, H = shape.heads, KV = shape.kvHeads, D = shape.headDim
        let P = cache.capacity, past = cache.past
        precondition(past + Tn <= P, "KV cache overflow: \(past + Tn) > \(P)")
        guard B > 0, Tn > 0, H > 0, D > 0 else { return }
        device.launch("rlhf_cached_attention_append", .covering(B * Tn * KV * D), [
            .floats(cache.keys), .floats(cache.values), .floats(qkv), .int(B), .int(Tn), .int(H), .int(KV), .int(D),
            .int(P), .int(past),
        ])
        let width = past + Tn
        let inShared = (D + width) * 4 <= 48 << 10
        let scores: FloatPointer? = inShared ? nil : scratch("cachedAttention.scores", count: B * H * Tn * width)
        device.launch("rlhf_cached_attention_attend", attentionRows(shape, sharedFloats: inShared ? D + width : D), [
            .floats(out), .floats(qkv), .floats(cache.keys), .floats(cache.values), .floats(cache.mask), .floats(scores),
            .int(Tn), .int(H), .int(KV), .int(D), .int(P), .int(past), .float(attentionScale(D)),
        ])
    }

    /// One block per (query t, head h, batch row b) with `sharedFloats` floats of dynamic shared memory.
    private func attentionRows(_ shape: AttentionShape, sharedFloats: Int) -> LaunchShape {
        LaunchShape(blocks: (shape.length, shape.heads, shape.batch), threads: (Self.attentionThreads, 1, 1),
                    sharedBytes: sharedFloats * 4)
    }

    /// 1/√D, computed as the CPU kernels do.
    private func attentionScale(_ headDim: Int) -> Float { 1 / Float(headDim).squareRoot() }
}
