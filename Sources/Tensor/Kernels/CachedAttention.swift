extension CPUKernels {
    /// See `Backend.cachedAttention`. One task per (batch row, KV head): it writes that head's new keys
    /// and values into the cache, then serves every query head of its group.
    public static func cachedAttention(out: FloatPointer, qkv: FloatPointer, cache: KVCacheSlot, shape: AttentionShape) {
        let Tn = shape.length, D = shape.headDim, H = shape.heads, KV = shape.kvHeads
        let S = shape.qkvStride, OS = H * D, group = H / KV, P = cache.capacity, past = cache.past
        precondition(past + Tn <= P, "KV cache overflow: \(past + Tn) > \(P)")
        let scale = 1 / Float(D).squareRoot()
        Parallel.forRanges(shape.batch * KV, costPerItem: group * Tn * (past + Tn) * D, minimumWork: 1 << 16) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: P) { scoresBuffer in
                let scores = scoresBuffer.baseAddress!
                for bkv in range {
                    let b = bkv / KV, kvh = bkv % KV
                    let keys = cache.keys + (b * KV + kvh) * P * D      // [P,D]
                    let values = cache.values + (b * KV + kvh) * P * D  // [P,D]
                    let mask = cache.mask + b * P                       // [P]
                    for t in 0..<Tn {
                        let row = qkv + (b * Tn + t) * S
                        (keys + (past + t) * D).update(from: row + (H + kvh) * D, count: D)
                        (values + (past + t) * D).update(from: row + (H + KV + kvh) * D, count: D)
                    }
                    for g in 0..<group {
                        let h = kvh * group + g
                        for t in 0..<Tn {
                            let q = qkv + (b * Tn + t) * S + h * D
                            let o = out + (b * Tn + t) * OS + h * D
                            let visible = past + t + 1
                            var maxScore = -Float.infinity
                            for j in 0..<visible {
                                if mask[j] == 0 { scores[j] = -.infinity; continue }
                                let s = dot(q, keys + j * D, D) * scale
                                scores[j] = s
                                maxScore = max(maxScore, s)
                            }
                            o.update(repeating: 0, count: D)
                            if maxScore == -.infinity { continue }
                            var sum: Float = 0
                            for j in 0..<visible {
                                let e = scores[j] == -.infinity ? 0 : FastMath.exp(scores[j] - maxScore)
                                scores[j] = e
                                sum += e
                            }
                            let inv = 1 / sum
                            for j in 0..<visible where scores[j] != 0 {
                                axpy(scores[j] * inv, values + j * D, o, D)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Σ a[i]·b[i] over n floats (SIMD8 with a scalar tail).
    @inline(__always)
    static func dot(_ a: FloatPointer, _ b: FloatPointer, _ n: Int) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= n {
            let x = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
            let y = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
            acc = acc.addingProduct(x, y)
            i += 8
        }
        var s = acc.sum()
        while i < n { s += a[i] * b[i]; i += 1 }
        return s
    }

    /// y[i] += alpha·x[i] over n floats.
    @inline(__always)
    static func axpy(_ alpha: Float, _ x: FloatPointer, _ y: FloatPointer, _ n: Int) {
        var i = 0
        let a = SIMD8<Float>(repeating: alpha)
        while i + 8 <= n {
            let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            let yv = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(y + i).storeBytes(of: yv.addingProduct(a, xv), as: SIMD8<Float>.self)
            i += 8
        }
        while i < n { y[i] += alpha * x[i]; i += 1 }
    }
}
