import CKernels

extension CPUKernels {
    /// Grouped-query attention, causal or bidirectional (`shape.causal`), one (batch, head) pair per task.
    ///
    ///     qkv[B,T,(H+2KV)·D]  q heads, then k heads, then v heads in each row
    ///     att[B,H,T,T]        softmax probabilities (0 at padded keys, and above the diagonal when causal)
    ///     out[B,T,H·D]
    ///
    /// Scores use one `sgemm` per head (the upper triangle is computed and discarded: at the sequence
    /// lengths RLHF uses that is cheaper than skipping it). A query row with no visible key (a left-pad
    /// position) gets all-zero probabilities and a zero output.
    static func attentionForward(out: FloatPointer, att: FloatPointer, qkv: FloatPointer,
                                        keyMask: FloatPointer?, shape: AttentionShape) {
        BLAS.singleThreaded {
        let T = shape.length, D = shape.headDim, H = shape.heads, KV = shape.kvHeads
        let S = shape.qkvStride, OS = H * D, group = H / KV
        let scale = 1 / Float(D).squareRoot(), causal: Int32 = shape.causal ? 1 : 0
        Parallel.forRanges(shape.batch * H, costPerItem: T * T * D, minimumWork: 0) { range in
            for bh in range {
                let b = bh / H, h = bh % H, kvh = h / group
                let base = qkv + b * T * S
                let q = base + h * D, k = base + (H + kvh) * D, v = base + (H + KV + kvh) * D
                let a = att + bh * T * T  // [T,T]
                BLAS.gemm(transB: true, m: T, n: T, k: D, alpha: scale, a: q, lda: S, b: k, ldb: S, c: a, ldc: T)
                rlhf_softmax_rows(a, keyMask.map { UnsafePointer($0 + b * T) }, T, causal)
                BLAS.gemm(m: T, n: D, k: T, a: a, lda: T, b: v, ldb: S, c: out + b * T * OS + h * D, ldc: OS)
            }
        }
        }
    }

    /// Backward of `attentionForward`: dQKV[B,T,(H+2KV)·D] (=) from dOut[B,T,H·D].
    /// One task per (batch, kv head) so the heads that share keys/values accumulate into them in order.
    /// `scratch` holds B·H·T·T floats (dAtt, then dScores, per head).
    static func attentionBackward(dQKV: FloatPointer, dOut: FloatPointer, qkv: FloatPointer,
                                         att: FloatPointer, scratch: FloatPointer, shape: AttentionShape) {
        BLAS.singleThreaded {
        let T = shape.length, D = shape.headDim, H = shape.heads, KV = shape.kvHeads
        let S = shape.qkvStride, OS = H * D, group = H / KV
        let scale = 1 / Float(D).squareRoot(), causal: Int32 = shape.causal ? 1 : 0
        Parallel.forRanges(shape.batch * KV, costPerItem: group * T * T * D, minimumWork: 0) { range in
            for bkv in range {
                let b = bkv / KV, kvh = bkv % KV
                let base = qkv + b * T * S, dBase = dQKV + b * T * S
                let k = base + (H + kvh) * D, v = base + (H + KV + kvh) * D
                let dK = dBase + (H + kvh) * D, dV = dBase + (H + KV + kvh) * D
                for g in 0..<group {
                    let h = kvh * group + g, bh = b * H + h
                    let q = base + h * D, dQ = dBase + h * D
                    let a = att + bh * T * T, dA = scratch + bh * T * T  // [T,T]
                    let dO = dOut + b * T * OS + h * D  // [T,D] stride OS
                    let first: Float = g == 0 ? 0 : 1
                    // dV[T,D] (+)= attᵀ · dO
                    BLAS.gemm(transA: true, m: T, n: D, k: T, a: a, lda: T, b: dO, ldb: OS, beta: first, c: dV, ldc: S)
                    // dAtt[T,T] = dO · Vᵀ
                    BLAS.gemm(transB: true, m: T, n: T, k: D, a: dO, lda: OS, b: v, ldb: S, c: dA, ldc: T)
                    // dScores = att ⊙ (dAtt − Σ_j dAtt·att) · scale, in place in dA
                    rlhf_softmax_backward_rows(dA, a, T, scale, causal)
                    // dQ[T,D] = dScores · K ; dK[T,D] (+)= dScoresᵀ · Q
                    BLAS.gemm(m: T, n: D, k: T, a: dA, lda: T, b: k, ldb: S, c: dQ, ldc: S)
                    BLAS.gemm(transA: true, m: T, n: D, k: T, a: dA, lda: T, b: q, ldb: S, beta: first, c: dK, ldc: S)
                }
            }
        }
        }
    }
}
