import Tensor

/// Rotary embeddings, attention forward and backward (causal and bidirectional, grouped KV heads,
/// padding masks) and the KV-cache attention of generation.
package enum AttentionCases {
    package static let all: [BackendCheckCase] = ropes + forwards + backwards + cached

    // MARK: rope

    /// Rotates `heads` vectors of D per row of x[N,rowStride] (by the positions, or back when `inverse`);
    /// the floats of each row past heads·D must stay as they were.
    static func rope(_ run: CaseRun, rows N: Int, strided: Bool, inverse: Bool) {
        let D = 2 * run.rng.int(in: 1...40), heads = run.rng.int(in: 1...6), P = run.rng.int(in: 10...300)
        let rowStride = heads * D + (strided ? run.rng.int(in: 1...3) * D : 0)  // q heads of a fused row, then more
        run.describe("N=\(N) heads=\(heads) D=\(D) rowStride=\(rowStride) P=\(P)")
        let table = RotaryTable(headDim: D, base: 10_000, maxPositions: P)
        let x = run.randomFloats(N * rowStride, in: -2...2)  // [N,rowStride]
        let positions = run.tokens(run.rng.ids(N, below: P))  // [N]
        run.both { b, s in
            b.rope(x[s], positions: positions[s], table: table, rows: N, heads: heads, headDim: D, rowStride: rowStride, inverse: inverse)
        }
        run.expectClose("x", x)
    }

    static let ropes: [BackendCheckCase] = [
        BackendCheckCase("rope forward strided rows", function: "rope") { run in
            rope(run, rows: run.rng.int(in: 1...200), strided: true, inverse: false)
        },
        BackendCheckCase("rope forward rows=1", function: "rope") { run in rope(run, rows: 1, strided: false, inverse: false) },
        BackendCheckCase("rope inverse strided rows", function: "rope") { run in
            rope(run, rows: run.rng.int(in: 1...200), strided: true, inverse: true)
        },
        BackendCheckCase("rope inverse packed rows", function: "rope") { run in
            rope(run, rows: run.rng.int(in: 1...200), strided: false, inverse: true)
        },
    ]

    // MARK: shapes and masks

    /// The padding a key mask has.
    enum Padding { case none, left, right }

    /// A random shape: `kvHeads` key/value heads shared by `group` query heads each.
    static func shape(_ run: CaseRun, batch: ClosedRange<Int>, length: ClosedRange<Int>, kvHeads: ClosedRange<Int>,
                      group: ClosedRange<Int>, causal: Bool) -> AttentionShape {
        let KV = run.rng.int(in: kvHeads)
        return AttentionShape(batch: run.rng.int(in: batch), length: run.rng.int(in: length), heads: KV * run.rng.int(in: group),
                              kvHeads: KV, headDim: run.rng.int(in: 1...48), causal: causal)
    }

    /// keyMask[B,T]: batch row 0 unpadded, the others with a random run of padding on `padding`'s side
    /// (left-padded rows leave query rows with no visible key when causal; every row keeps one real token).
    static func keyMask(_ run: CaseRun, batch B: Int, length T: Int, padding: Padding) -> [Float] {
        (0..<B).flatMap { b -> [Float] in
            let pad = b == 0 ? 0 : run.rng.int(in: 0...(T - 1))
            return (0..<T).map { t in
                switch padding {
                case .none: 1
                case .left: t < pad ? 0 : 1
                case .right: t >= T - pad ? 0 : 1
                }
            }
        }
    }

    static func describe(_ run: CaseRun, _ s: AttentionShape, _ padding: Padding) {
        run.describe("B=\(s.batch) T=\(s.length) H=\(s.heads) KV=\(s.kvHeads) D=\(s.headDim)"
                     + (padding == .none ? "" : " \(padding) padding"))
    }

    // MARK: attentionForward

    /// out[B,T,H·D] and att[B,H,T,T] (both starting random) from qkv[B,T,(H+2KV)·D].
    static func forward(_ run: CaseRun, _ s: AttentionShape, padding: Padding) {
        describe(run, s, padding)
        let B = s.batch, T = s.length
        let qkv = run.randomFloats(B * T * s.qkvStride, in: -2...2)  // [B,T,(H+2KV)·D]
        let mask = padding == .none ? nil : run.floats(keyMask(run, batch: B, length: T, padding: padding))  // [B,T]
        let out = run.randomFloats(B * T * s.heads * s.headDim)  // [B,T,H·D]
        let att = run.randomFloats(B * s.heads * T * T)  // [B,H,T,T]
        run.both { b, side in b.attentionForward(out: out[side], att: att[side], qkv: qkv[side], keyMask: mask?[side], shape: s) }
        run.expectClose("out", out, products: max(s.headDim, T))
        run.expectClose("att", att, products: s.headDim)
    }

    static let forwards: [BackendCheckCase] = [
        BackendCheckCase("attentionForward causal GQA", function: "attentionForward") { run in
            forward(run, shape(run, batch: 1...3, length: 1...40, kvHeads: 1...3, group: 2...3, causal: true), padding: .none)
        },
        BackendCheckCase("attentionForward causal left-padded", function: "attentionForward") { run in
            forward(run, shape(run, batch: 2...3, length: 2...40, kvHeads: 1...2, group: 1...3, causal: true), padding: .left)
        },
        BackendCheckCase("attentionForward bidirectional", function: "attentionForward") { run in
            forward(run, shape(run, batch: 1...3, length: 1...40, kvHeads: 1...4, group: 1...1, causal: false), padding: .none)
        },
        BackendCheckCase("attentionForward bidirectional right-padded GQA", function: "attentionForward") { run in
            forward(run, shape(run, batch: 2...3, length: 2...40, kvHeads: 1...2, group: 2...4, causal: false), padding: .right)
        },
        BackendCheckCase("attentionForward T=1", function: "attentionForward") { run in
            forward(run, shape(run, batch: 1...4, length: 1...1, kvHeads: 1...2, group: 1...2, causal: true), padding: .none)
        },
        // more keys than a GPU block has threads
        BackendCheckCase("attentionForward long causal left-padded", function: "attentionForward") { run in
            forward(run, shape(run, batch: 2...2, length: 130...300, kvHeads: 1...1, group: 2...2, causal: true), padding: .left)
        },
    ]

    // MARK: attentionBackward

    /// dQKV[B,T,(H+2KV)·D] (starting random) from dOut[B,T,H·D], with att[B,H,T,T] from the reference's
    /// forward pass uploaded to both. scratch[B,H,T,T] is the backends' own to overwrite.
    static func backward(_ run: CaseRun, _ s: AttentionShape, padding: Padding) {
        describe(run, s, padding)
        let B = s.batch, T = s.length, H = s.heads
        let qkv = run.randomFloats(B * T * s.qkvStride, in: -2...2)  // [B,T,(H+2KV)·D]
        let mask = padding == .none ? nil : run.floats(keyMask(run, batch: B, length: T, padding: padding))  // [B,T]
        let forwardOut = run.buffer(on: .reference, count: B * T * H * s.headDim)  // [B,T,H·D]
        let forwardAtt = run.buffer(on: .reference, count: B * H * T * T)  // [B,H,T,T]
        run.reference.attentionForward(out: forwardOut.pointer, att: forwardAtt.pointer, qkv: qkv[.reference],
                                       keyMask: mask?[.reference], shape: s)
        let att = run.floats(run.reference.download(forwardAtt.pointer, count: forwardAtt.count))  // [B,H,T,T]
        let dOut = run.randomFloats(B * T * H * s.headDim)  // [B,T,H·D]
        let scratch = run.randomFloats(B * H * T * T)  // [B,H,T,T]
        let dQKV = run.randomFloats(B * T * s.qkvStride)  // [B,T,(H+2KV)·D]
        run.both { b, side in
            b.attentionBackward(dQKV: dQKV[side], dOut: dOut[side], qkv: qkv[side], att: att[side], scratch: scratch[side], shape: s)
        }
        run.expectClose("dQKV", dQKV, products: s.headDim + T)
    }

    static let backwards: [BackendCheckCase] = [
        BackendCheckCase("attentionBackward causal GQA", function: "attentionBackward") { run in
            backward(run, shape(run, batch: 1...3, length: 1...40, kvHeads: 1...3, group: 2...3, causal: true), padding: .none)
        },
        BackendCheckCase("attentionBackward causal left-padded", function: "attentionBackward") { run in
            backward(run, shape(run, batch: 2...3, length: 2...40, kvHeads: 1...2, group: 1...3, causal: true), padding: .left)
        },
        BackendCheckCase("attentionBackward bidirectional", function: "attentionBackward") { run in
            backward(run, shape(run, batch: 1...3, length: 1...40, kvHeads: 1...4, group: 1...1, causal: false), padding: .none)
        },
        BackendCheckCase("attentionBackward bidirectional right-padded GQA", function: "attentionBackward") { run in
            backward(run, shape(run, batch: 2...3, length: 2...40, kvHeads: 1...2, group: 2...4, causal: false), padding: .right)
        },
        BackendCheckCase("attentionBackward long causal left-padded", function: "attentionBackward") { run in
            backward(run, shape(run, batch: 2...2, length: 130...300, kvHeads: 1...1, group: 2...2, causal: true), padding: .left)
        },
    ]

    // MARK: cachedAttention

    /// Appends Tn new tokens' keys/values to a cache holding `past` positions and attends to it.
    ///
    ///     qkv[B,Tn,(H+2KV)·D]   the new tokens
    ///     keys, values[B,KV,P,D] random everywhere: positions < past are the cached ones, positions
    ///                           ≥ past + Tn must stay as they were
    ///     mask[B,P]             row 0 all real; the others left-padded (possibly into the new tokens, so a
    ///                           query may see no key) with a few more masked positions; random past
    ///                           past + Tn, where the kernel must not look
    ///     out[B,Tn,H·D]         starting random
    static func cachedAttention(_ run: CaseRun, batch: ClosedRange<Int>, past: Int, new Tn: Int, kvHeads: ClosedRange<Int>,
                                group: ClosedRange<Int>) {
        let s = shape(run, batch: batch, length: Tn...Tn, kvHeads: kvHeads, group: group, causal: true)
        let B = s.batch, KV = s.kvHeads, D = s.headDim, P = past + Tn + run.rng.int(in: 0...9)
        run.describe("B=\(B) Tn=\(Tn) past=\(past) P=\(P) H=\(s.heads) KV=\(KV) D=\(D)")
        let qkv = run.randomFloats(B * Tn * s.qkvStride, in: -2...2)  // [B,Tn,(H+2KV)·D]
        let keys = run.randomFloats(B * KV * P * D, in: -2...2), values = run.randomFloats(B * KV * P * D)  // [B,KV,P,D] each
        let maskValues = (0..<B).flatMap { b -> [Float] in
            let pad = b == 0 ? 0 : run.rng.int(in: 0...(past + Tn - 1))
            return (0..<P).map { j -> Float in
                if j >= past + Tn { return run.rng.coin() ? 1 : 0 }
                return b == 0 || (j >= pad && run.rng.int(in: 0...5) != 0) ? 1 : 0
            }
        }
        let mask = run.floats(maskValues)  // [B,P]
        let out = run.randomFloats(B * Tn * s.heads * D)  // [B,Tn,H·D]
        run.both { b, side in
            let slot = KVCacheSlot(keys: keys[side], values: values[side], mask: mask[side], past: past, capacity: P)
            b.cachedAttention(out: out[side], qkv: qkv[side], cache: slot, shape: s)
        }
        run.expectClose("out", out, products: max(D, past + Tn))
        run.expectClose("keys", keys)
        run.expectClose("values", values)
        run.expectClose("mask", mask)
    }

    static let cached: [BackendCheckCase] = [
        BackendCheckCase("cachedAttention prefill masked", function: "cachedAttention") { run in
            cachedAttention(run, batch: 2...3, past: 0, new: run.rng.int(in: 2...16), kvHeads: 1...2, group: 1...3)
        },
        BackendCheckCase("cachedAttention past>0 Tn>1 masked GQA", function: "cachedAttention") { run in
            cachedAttention(run, batch: 2...3, past: run.rng.int(in: 1...30), new: run.rng.int(in: 2...6), kvHeads: 1...2, group: 2...4)
        },
        BackendCheckCase("cachedAttention decode Tn=1", function: "cachedAttention") { run in
            cachedAttention(run, batch: 1...4, past: run.rng.int(in: 1...60), new: 1, kvHeads: 1...3, group: 1...2)
        },
        // more scores than 48 KiB of GPU shared memory holds
        BackendCheckCase("cachedAttention long cache", function: "cachedAttention") { run in
            cachedAttention(run, batch: 2...2, past: run.rng.int(in: 12_300...13_000), new: 2, kvHeads: 1...1, group: 2...2)
        },
    ]
}
