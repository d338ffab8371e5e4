import Foundation
@testable import Tensor
import TestSupport
import XCTest

/// Attention (training and cached) and the decoding products under every instruction set, against
/// Double references; sizes leave partial vectors (T = 11, D = 20, C = 37, OC = 50).
final class InstructionSetAttentionTests: KernelTestCase {
    func dot(_ a: [Float], _ i: Int, _ b: [Float], _ j: Int, _ n: Int) -> Double {
        (0..<n).reduce(0.0) { $0 + Double(a[i + $1]) * Double(b[j + $1]) }
    }

    func testCausalAttentionWithKeyMask() {
        let shape = AttentionShape(batch: 2, length: 11, heads: 4, kvHeads: 2, headDim: 20)
        let B = shape.batch, T = shape.length, H = shape.heads, KV = shape.kvHeads, D = shape.headDim
        let S = shape.qkvStride, OS = H * D, group = H / KV, scale = 1 / Double(D).squareRoot()
        var rng = SeededGenerator(seed: 101)
        let qkv = rng.floats(B * T * S, in: -2...2), dOut = rng.floats(B * T * OS)
        var mask = [Float](repeating: 1, count: B * T)
        mask[T] = 0; mask[T + 1] = 0  // row 1 is left-padded by two positions
        var out = [Double](repeating: 0, count: B * T * OS), dQKV = [Double](repeating: 0, count: B * T * S)
        for b in 0..<B {
            for h in 0..<H {
                let kvh = h / group
                for t in 0..<T {
                    let q = (b * T + t) * S + h * D
                    let keys = (0...t).filter { mask[b * T + $0] != 0 }
                    if keys.isEmpty { continue }
                    let scores = keys.map { dot(qkv, q, qkv, (b * T + $0) * S + (H + kvh) * D, D) * scale }
                    let m = scores.max()!, e = scores.map { exp($0 - m) }, sum = e.reduce(0, +)
                    let p = e.map { $0 / sum }
                    let o = (b * T + t) * OS + h * D
                    let dP = keys.map { dot(dOut, o, qkv, (b * T + $0) * S + (H + KV + kvh) * D, D) }
                    let centre = zip(p, dP).reduce(0) { $0 + $1.0 * $1.1 }
                    for (i, j) in keys.enumerated() {
                        let k = (b * T + j) * S + (H + kvh) * D, v = (b * T + j) * S + (H + KV + kvh) * D
                        let dS = p[i] * (dP[i] - centre) * scale
                        for c in 0..<D {
                            out[o + c] += p[i] * Double(qkv[v + c])
                            dQKV[q + c] += dS * Double(qkv[k + c])
                            dQKV[k + c] += dS * Double(qkv[q + c])
                            dQKV[v + c] += p[i] * Double(dOut[o + c])
                        }
                    }
                }
            }
        }
        forEachInstructionSet { isa in
            let o = buffer(count: B * T * OS), att = buffer(count: B * H * T * T), d = buffer(count: B * T * S)
            let qkvBuffer = buffer(qkv), maskBuffer = buffer(mask)
            CPUKernels.attentionForward(out: o.pointer, att: att.pointer, qkv: qkvBuffer.pointer, keyMask: maskBuffer.pointer,
                                        shape: shape)
            CPUKernels.attentionBackward(dQKV: d.pointer, dOut: buffer(dOut).pointer, qkv: qkvBuffer.pointer,
                                         att: att.pointer, scratch: buffer(count: B * H * T * T).pointer, shape: shape)
            assertClose(Array(o.pointer, B * T * OS), out, absolute: 1e-5, "attention out \(isa)")
            assertClose(Array(d.pointer, B * T * S), dQKV, absolute: 1e-5, "attention dQKV \(isa)")
        }
    }

    func testCachedAttentionAppendsAndAttends() {
        let shape = AttentionShape(batch: 2, length: 2, heads: 4, kvHeads: 2, headDim: 20)
        let B = shape.batch, Tn = shape.length, H = shape.heads, KV = shape.kvHeads, D = shape.headDim
        let S = shape.qkvStride, OS = H * D, group = H / KV, P = 12, past = 5, scale = 1 / Double(D).squareRoot()
        var rng = SeededGenerator(seed: 102)
        let qkv = rng.floats(B * Tn * S, in: -2...2)
        var keys = rng.floats(B * KV * P * D), values = rng.floats(B * KV * P * D)
        var mask = [Float](repeating: 1, count: B * P)
        mask[P + 0] = 0; mask[P + 3] = 0  // row 1: a padded and a dropped position
        for b in 0..<B {
            for kvh in 0..<KV {
                for t in 0..<Tn {
                    for c in 0..<D {
                        keys[((b * KV + kvh) * P + past + t) * D + c] = qkv[(b * Tn + t) * S + (H + kvh) * D + c]
                        values[((b * KV + kvh) * P + past + t) * D + c] = qkv[(b * Tn + t) * S + (H + KV + kvh) * D + c]
                    }
                }
            }
        }
        var out = [Double](repeating: 0, count: B * Tn * OS)
        for b in 0..<B {
            for h in 0..<H {
                let base = (b * KV + h / group) * P * D
                for t in 0..<Tn {
                    let visible = (0..<(past + t + 1)).filter { mask[b * P + $0] != 0 }
                    let scores = visible.map { dot(qkv, (b * Tn + t) * S + h * D, keys, base + $0 * D, D) * scale }
                    let m = scores.max()!, e = scores.map { exp($0 - m) }, sum = e.reduce(0, +)
                    for (i, j) in visible.enumerated() {
                        for c in 0..<D { out[(b * Tn + t) * OS + h * D + c] += e[i] / sum * Double(values[base + j * D + c]) }
                    }
                }
            }
        }
        forEachInstructionSet { isa in
            let k = buffer(keys), v = buffer(values)
            for i in 0..<(B * KV) { for t in 0..<Tn { for c in 0..<D { k.pointer[(i * P + past + t) * D + c] = .nan; v.pointer[(i * P + past + t) * D + c] = .nan } } }
            let o = buffer(count: B * Tn * OS), m = buffer(mask)
            let slot = KVCacheSlot(keys: k.pointer, values: v.pointer, mask: m.pointer, past: past, capacity: P)
            CPUKernels.cachedAttention(out: o.pointer, qkv: buffer(qkv).pointer, cache: slot, shape: shape)
            assertClose(Array(o.pointer, B * Tn * OS), out, absolute: 1e-5, "cached attention \(isa)")
            XCTAssertEqual(Array(k.pointer, keys.count), keys, "appended keys \(isa)")
            XCTAssertEqual(Array(v.pointer, values.count), values, "appended values \(isa)")
        }
    }

    func testSkinnyAndPanelProducts() {
        let C = 37, OC = 50
        var rng = SeededGenerator(seed: 103)
        let weight = rng.floats(OC * C), bias = rng.floats(OC)
        for M in [1, 5, 9] {
            let input = rng.floats(M * C)
            let want = (0..<(M * OC)).map { i in dot(input, (i / OC) * C, weight, (i % OC) * C, C) + Double(bias[i % OC]) }
            forEachInstructionSet { isa in
                let skinny = buffer(count: M * OC), panel = buffer(count: M * OC)
                let packed = buffer(count: CPUKernels.packedPanelCount(inFeatures: C, outFeatures: OC))
                CPUKernels.skinnyMatmulForward(out: skinny.pointer, input: buffer(input).pointer, weight: buffer(weight).pointer,
                                               bias: buffer(bias).pointer, rows: M, inFeatures: C, outFeatures: OC)
                CPUKernels.packPanels(weight: buffer(weight).pointer, into: packed.pointer, inFeatures: C, outFeatures: OC)
                CPUKernels.panelMatmulForward(out: panel.pointer, input: buffer(input).pointer, panels: packed.pointer,
                                              bias: buffer(bias).pointer, rows: M, inFeatures: C, outFeatures: OC)
                assertClose(Array(skinny.pointer, M * OC), want, absolute: 1e-5, "skinny M=\(M) \(isa)")
                assertClose(Array(panel.pointer, M * OC), want, absolute: 1e-5, "panel M=\(M) \(isa)")
            }
        }
    }
}
