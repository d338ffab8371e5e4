@testable import Tensor
import TestSupport
import XCTest

/// Attention forward against a naive Double reference, backward against finite differences, and the
/// incremental (KV-cache) path against the full one; grouped KV heads and a padding mask throughout.
final class AttentionTests: XCTestCase {
    let shape = AttentionShape(batch: 2, length: 5, heads: 4, kvHeads: 2, headDim: 8)
    // row 1 is left-padded by 2
    let mask: [Float] = [1, 1, 1, 1, 1, 0, 0, 1, 1, 1]

    override func setUp() { Runtime.configure(threads: 2) }

    /// Naive attention in Double: out[B,T,H·D].
    func reference(_ qkv: [Float], mask: [Float]?) -> [Double] {
        let s = shape, T = s.length, D = s.headDim, S = s.qkvStride, OS = s.heads * D, group = s.heads / s.kvHeads
        var out = [Double](repeating: 0, count: s.batch * T * OS)
        for b in 0..<s.batch {
            for h in 0..<s.heads {
                let kvh = h / group
                for t in 0..<T {
                    var scores: [Double] = []
                    var keys: [Int] = []
                    for j in 0...t where (mask?[b * T + j] ?? 1) != 0 {
                        var dot = 0.0
                        for d in 0..<D {
                            dot += Double(qkv[(b * T + t) * S + h * D + d]) * Double(qkv[(b * T + j) * S + (s.heads + kvh) * D + d])
                        }
                        scores.append(dot / Double(D).squareRoot())
                        keys.append(j)
                    }
                    if keys.isEmpty { continue }
                    let m = scores.max()!
                    let e = scores.map { Foundation.exp($0 - m) }
                    let z = e.reduce(0, +)
                    for (i, j) in keys.enumerated() {
                        for d in 0..<D {
                            out[(b * T + t) * OS + h * D + d] += e[i] / z * Double(qkv[(b * T + j) * S + (s.heads + s.kvHeads + kvh) * D + d])
                        }
                    }
                }
            }
        }
        return out
    }

    func randomQKV(seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return rng.floats(shape.batch * shape.length * shape.qkvStride)
    }

    func forward(_ qkv: [Float], mask: [Float]?) -> [Float] {
        var qkv = qkv, maskCopy = mask ?? []
        var out = [Float](repeating: 0, count: shape.batch * shape.length * shape.heads * shape.headDim)
        var att = [Float](repeating: 0, count: shape.batch * shape.heads * shape.length * shape.length)
        qkv.withUnsafeMutableBufferPointer { q in
            out.withUnsafeMutableBufferPointer { o in
                att.withUnsafeMutableBufferPointer { a in
                    maskCopy.withUnsafeMutableBufferPointer { m in
                        CPUKernels.attentionForward(out: o.baseAddress!, att: a.baseAddress!, qkv: q.baseAddress!,
                                                    keyMask: mask == nil ? nil : m.baseAddress!, shape: shape)
                    }
                }
            }
        }
        return out
    }

    func testForwardMatchesReference() {
        let qkv = randomQKV(seed: 1)
        for m in [nil, mask] {
            let got = forward(qkv, mask: m), want = reference(qkv, mask: m)
            for i in 0..<got.count { XCTAssertEqual(Double(got[i]), want[i], accuracy: 1e-5) }
        }
    }

    func testBackwardMatchesFiniteDifferences() {
        let qkv = randomQKV(seed: 2)
        let dOut = randomQKV(seed: 3).prefix(shape.batch * shape.length * shape.heads * shape.headDim).map { $0 }
        // analytic
        var q = qkv, dO = dOut
        var out = [Float](repeating: 0, count: dOut.count)
        var att = [Float](repeating: 0, count: shape.batch * shape.heads * shape.length * shape.length)
        var scratch = att, dQKV = [Float](repeating: 7, count: qkv.count)  // 7: must be overwritten
        var m = mask
        q.withUnsafeMutableBufferPointer { qp in out.withUnsafeMutableBufferPointer { op in
            att.withUnsafeMutableBufferPointer { ap in m.withUnsafeMutableBufferPointer { mp in
                scratch.withUnsafeMutableBufferPointer { sp in dQKV.withUnsafeMutableBufferPointer { dp in
                    dO.withUnsafeMutableBufferPointer { dop in
                        CPUKernels.attentionForward(out: op.baseAddress!, att: ap.baseAddress!, qkv: qp.baseAddress!,
                                                    keyMask: mp.baseAddress!, shape: shape)
                        CPUKernels.attentionBackward(dQKV: dp.baseAddress!, dOut: dop.baseAddress!, qkv: qp.baseAddress!,
                                                     att: ap.baseAddress!, scratch: sp.baseAddress!, shape: shape)
                    }
                }}
            }}
        }}
        // numeric, on the Double reference: L = Σ dOut · out
        func loss(_ x: [Float]) -> Double {
            zip(reference(x, mask: mask), dOut).reduce(0) { $0 + $1.0 * Double($1.1) }
        }
        for i in stride(from: 0, to: qkv.count, by: 3) {
            let numeric = FiniteDifference.slope(step: 1e-2) { t in
                var moved = qkv
                moved[i] += Float(t)
                return loss(moved)
            }
            XCTAssertEqual(Double(dQKV[i]), numeric, accuracy: 2e-3, "dQKV[\(i)]")
        }
    }

    func testCachedAttentionMatchesFullAttention() {
        let qkv = randomQKV(seed: 4)
        let full = forward(qkv, mask: mask)
        let B = shape.batch, T = shape.length, S = shape.qkvStride, OS = shape.heads * shape.headDim
        let P = T + 1
        var keys = [Float](repeating: 0, count: B * shape.kvHeads * P * shape.headDim)
        var values = keys
        var cacheMask = [Float](repeating: 0, count: B * P)
        for b in 0..<B { for t in 0..<T { cacheMask[b * P + t] = mask[b * T + t] } }
        // prefill 3 tokens, then 1 + 1 decode steps
        var produced = [Float](repeating: 0, count: B * T * OS)
        var past = 0
        for chunk in [3, 1, 1] {
            var part = [Float](repeating: 0, count: B * chunk * S)
            for b in 0..<B { for t in 0..<chunk { for c in 0..<S { part[(b * chunk + t) * S + c] = qkv[(b * T + past + t) * S + c] } } }
            var out = [Float](repeating: 0, count: B * chunk * OS)
            keys.withUnsafeMutableBufferPointer { k in values.withUnsafeMutableBufferPointer { v in
                cacheMask.withUnsafeMutableBufferPointer { cm in part.withUnsafeMutableBufferPointer { p in
                    out.withUnsafeMutableBufferPointer { o in
                        let slot = KVCacheSlot(keys: k.baseAddress!, values: v.baseAddress!, mask: cm.baseAddress!,
                                               past: past, capacity: P)
                        var s = shape
                        s.length = chunk
                        CPUKernels.cachedAttention(out: o.baseAddress!, qkv: p.baseAddress!, cache: slot, shape: s)
                    }
                }}
            }}
            for b in 0..<B { for t in 0..<chunk { for c in 0..<OS { produced[(b * T + past + t) * OS + c] = out[(b * chunk + t) * OS + c] } } }
            past += chunk
        }
        for i in 0..<full.count { XCTAssertEqual(produced[i], full[i], accuracy: 1e-5, "out[\(i)]") }
    }
}
