import Foundation
@testable import Tensor
import TestSupport
import XCTest

/// The softmax family under every instruction set, against Double references: V = 2100 crosses a
/// log-sum-exp block and leaves a partial vector; one row's target is ignored (−1).
final class InstructionSetSoftmaxTests: KernelTestCase {
    let N = 3, V = 2100
    let targets: [Int32] = [5, -1, 2099]

    /// Row n's log-softmax of logits/T in Double.
    func logSoftmax(_ logits: [Float], row n: Int, temperature T: Double = 1) -> [Double] {
        let z = (0..<V).map { Double(logits[n * V + $0]) / T }
        let m = z.max()!
        let lse = m + log(z.reduce(0) { $0 + exp($1 - m) })
        return z.map { $0 - lse }
    }

    func testCrossEntropyAndLogSoftmaxGather() {
        var rng = SeededGenerator(seed: 91)
        let logits = rng.floats(N * V, in: -8...8), dLoss: [Float] = [0.5, 1, 2]
        let rows = (0..<N).map { logSoftmax(logits, row: $0) }
        let losses = (0..<N).map { targets[$0] < 0 ? 0 : -rows[$0][Int(targets[$0])] }
        var gradient = [Double]()
        for n in 0..<N {
            for v in 0..<V {
                let t = Int(targets[n])
                gradient.append(t < 0 ? 0 : (exp(rows[n][v]) - (v == t ? 1 : 0)) * Double(dLoss[n]))
            }
        }
        forEachInstructionSet { isa in
            let loss = buffer(count: N), lse = buffer(count: N), gathered = buffer(count: N), dLogits = buffer(logits)
            withTokens(targets) { t in
                CPUKernels.crossEntropyForward(losses: loss.pointer, logSumExp: lse.pointer, logits: buffer(logits).pointer,
                                               targets: t, rows: N, vocab: V)
                CPUKernels.logSoftmaxGather(out: gathered.pointer, logits: buffer(logits).pointer, targets: t, rows: N,
                                            vocab: V)
                CPUKernels.crossEntropyBackward(dLogits: dLogits.pointer, logits: dLogits.pointer, logSumExp: lse.pointer,
                                                targets: t, dLoss: buffer(dLoss).pointer, rows: N, vocab: V)
            }
            assertClose(Array(loss.pointer, N), losses, absolute: 1e-5, "loss \(isa)")
            assertClose(Array(gathered.pointer, N), losses.map { -$0 }, absolute: 1e-5, "gather \(isa)")
            assertClose(Array(dLogits.pointer, N * V), gradient, absolute: 1e-7, relative: 1e-5, "dLogits \(isa)")
        }
    }

    func testTemperatureLogProbsAndEntropy() {
        var rng = SeededGenerator(seed: 92)
        let logits = rng.floats(N * V, in: -8...8), dLogProbs: [Float] = [1, 0.5, -2], dEntropy: [Float] = [0.3, -1, 0]
        let T = 0.7
        let rows = (0..<N).map { logSoftmax(logits, row: $0, temperature: T) }
        let logProbs = (0..<N).map { targets[$0] < 0 ? 0 : rows[$0][Int(targets[$0])] }
        let entropy = rows.map { r in -r.reduce(0) { $0 + exp($1) * $1 } }
        var gradient = [Double]()
        for n in 0..<N {
            let t = Int(targets[n]), wL = t < 0 ? 0 : Double(dLogProbs[n]), wH = Double(dEntropy[n])
            for v in 0..<V {
                let logp = rows[n][v], p = exp(logp)
                gradient.append((wL * ((v == t ? 1 : 0) - p) - wH * p * (logp + entropy[n])) / T)
            }
        }
        forEachInstructionSet { isa in
            let lp = buffer(count: N), h = buffer(count: N), dLogits = buffer(count: N * V)
            withTokens(targets) { t in
                CPUKernels.tokenLogProbsForward(logProbs: lp.pointer, entropy: h.pointer, logits: buffer(logits).pointer,
                                                targets: t, rows: N, vocab: V, temperature: Float(T))
                CPUKernels.tokenLogProbsBackward(dLogits: dLogits.pointer, logits: buffer(logits).pointer, targets: t,
                                                 dLogProbs: buffer(dLogProbs).pointer, dEntropy: buffer(dEntropy).pointer,
                                                 rows: N, vocab: V, temperature: Float(T))
            }
            assertClose(Array(lp.pointer, N), logProbs, absolute: 1e-5, "logProbs \(isa)")
            assertClose(Array(h.pointer, N), entropy, absolute: 1e-5, "entropy \(isa)")
            assertClose(Array(dLogits.pointer, N * V), gradient, absolute: 1e-7, relative: 1e-5, "dLogits \(isa)")
        }
    }

    func testSamplingWeights() {
        var rng = SeededGenerator(seed: 93)
        let x = rng.floats(1037, in: -10...10), scale: Float = 1 / 0.8
        let maximum = Double(x.max()!)
        let weights = x.map { exp((Double($0) - maximum) * Double(scale)) }
        forEachInstructionSet { isa in
            let out = buffer(count: x.count)
            let got = x.withUnsafeBufferPointer { xs -> (Float, Double) in
                let m = CPUKernels.rowMaximum(xs.baseAddress!, count: xs.count)
                return (m, CPUKernels.exponentiateShifted(xs.baseAddress!, into: out.pointer, count: xs.count, shift: m,
                                                          scale: scale))
            }
            XCTAssertEqual(Double(got.0), maximum, "rowMaximum \(isa)")
            XCTAssertEqual(got.1, weights.reduce(0, +), accuracy: 1e-5 * weights.reduce(0, +), "sum \(isa)")
            assertClose(Array(out.pointer, x.count), weights, absolute: 1e-7, relative: 2e-6, "weights \(isa)")
        }
    }
}
