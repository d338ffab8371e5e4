import Foundation
@testable import Tensor
import TestSupport
import XCTest

/// Cross-entropy, its gradient and log-softmax gather against Double references.
final class CrossEntropyTests: KernelTestCase {
    /// log Σ e^x over one row, in Double.
    static func logSumExp(_ row: ArraySlice<Double>) -> Double {
        let m = row.max()!
        return m + Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - m) })
    }

    /// Per-row losses (0 for ignored rows) in Double.
    static func losses(_ logits: [Double], targets: [Int32], rows N: Int, vocab V: Int) -> [Double] {
        (0..<N).map { n in
            let t = Int(targets[n])
            return t < 0 ? 0 : logSumExp(logits[n * V..<(n + 1) * V]) - logits[n * V + t]
        }
    }

    private struct Case {
        var logits: [Float], targets: [Int32], dLoss: [Float], rows: Int, vocab: Int
    }

    /// Logits spread over ±`spread` around a per-row offset, one ignored row (index 1).
    private func makeCase(rows N: Int, vocab V: Int, spread: Float, seed: UInt64) -> Case {
        var rng = SeededGenerator(seed: seed)
        let offsets = rng.floats(N, in: -50...50)
        let logits = (0..<N * V).map { offsets[$0 / V] + Float.random(in: -spread...spread, using: &rng) }
        var targets = rng.ids(N, below: V)
        targets[1] = -100
        return Case(logits: logits, targets: targets, dLoss: rng.floats(N, in: 0.1...2), rows: N, vocab: V)
    }

    private func forward(_ c: Case) -> (losses: FloatBuffer, lse: FloatBuffer) {
        let losses = buffer(count: c.rows), lse = buffer(count: c.rows)
        withTokens(c.targets) {
            CPUKernels.crossEntropyForward(losses: losses.pointer, logSumExp: lse.pointer, logits: buffer(c.logits).pointer,
                                           targets: $0, rows: c.rows, vocab: c.vocab)
        }
        return (losses, lse)
    }

    func testForwardSmallVocabulary() {
        let c = makeCase(rows: 100, vocab: 50, spread: 8, seed: 70)
        let (losses, lse) = forward(c)
        let logits = c.logits.doubles
        assertClose(losses.array, Self.losses(logits, targets: c.targets, rows: c.rows, vocab: c.vocab),
                    absolute: 2e-6, relative: 1e-6, "losses")
        let expectedLSE = (0..<c.rows).map { Self.logSumExp(logits[$0 * c.vocab..<($0 + 1) * c.vocab]) }
        assertClose(lse.array, expectedLSE, absolute: 0, relative: 2e-7, "logSumExp")
        XCTAssertEqual(losses.array[1], 0, "ignored row")
    }

    func testForwardGPT2VocabularyKeepsPrecision() {
        // V = 50257: the sum of 50k exponentials must not lose float32 accuracy
        let c = makeCase(rows: 3, vocab: 50_257, spread: 3, seed: 71)
        let (losses, lse) = forward(c)
        let logits = c.logits.doubles
        assertClose(losses.array, Self.losses(logits, targets: c.targets, rows: c.rows, vocab: c.vocab),
                    absolute: 4e-6, relative: 1e-6, "losses")
        let expectedLSE = (0..<c.rows).map { Self.logSumExp(logits[$0 * c.vocab..<($0 + 1) * c.vocab]) }
        assertClose(lse.array, expectedLSE, absolute: 0, relative: 2e-7, "logSumExp")
    }

    func testForwardExtremeLogits() {
        // huge offsets either way, and a -inf logit, stay finite and exact
        let V = 19
        var logits = [Float](repeating: 0, count: 3 * V)
        for v in 0..<V { logits[v] = 1e4 + Float(v); logits[V + v] = -1e4 - Float(v); logits[2 * V + v] = Float(v) * 10 }
        logits[2 * V + 3] = -.infinity
        let c = Case(logits: logits, targets: [5, 0, 18], dLoss: [1, 1, 1], rows: 3, vocab: V)
        let (losses, _) = forward(c)
        assertClose(losses.array, Self.losses(logits.doubles, targets: c.targets, rows: 3, vocab: V),
                    absolute: 2e-6, relative: 1e-6, "extreme losses")
    }

    func testForwardMergesBlocksOfDifferentScales() {
        // the one-pass log-sum-exp works in blocks of 2048: a low block, an all -inf block, the block
        // holding the max, then a short tail block
        let V = 3 * 2048 + 5
        var rng = SeededGenerator(seed: 76)
        var logits = rng.floats(V, in: -101 ... -99)
        for v in 2048..<4096 { logits[v] = -.infinity }
        for v in 4096..<6144 { logits[v] = Float.random(in: 18...22, using: &rng) }
        for v in 6144..<V { logits[v] = Float.random(in: -1...1, using: &rng) }
        let targets: [Int32] = [17, 6146, 6145]
        let rows = targets.map { _ in logits }.flatMap { $0 }
        let c = Case(logits: rows, targets: targets, dLoss: [1, 1, 1], rows: 3, vocab: V)
        let (losses, lse) = forward(c)
        assertClose(losses.array, Self.losses(rows.doubles, targets: targets, rows: 3, vocab: V),
                    absolute: 4e-6, relative: 1e-6, "losses")
        assertClose(lse.array, [Double](repeating: Self.logSumExp(logits.doubles[...]), count: 3), absolute: 0,
                    relative: 2e-7, "logSumExp")
    }

    /// Prior-free expected gradient: d(Σ dLoss·loss)/d logits by central differences on the Double losses.
    private func numericGradient(_ c: Case) -> [Double] {
        let logits = c.logits.doubles, dLoss = c.dLoss.doubles
        var gradient = [Double](repeating: 0, count: c.rows * c.vocab)
        for n in 0..<c.rows {
            // each row's loss depends only on that row: differentiate the one-row problem
            let row = Array(logits[n * c.vocab..<(n + 1) * c.vocab])
            for v in 0..<c.vocab {
                gradient[n * c.vocab + v] = dLoss[n] * FiniteDifference.derivative(row, at: v) {
                    Self.losses($0, targets: [c.targets[n]], rows: 1, vocab: c.vocab)[0]
                }
            }
        }
        return gradient
    }

    private func backward(_ c: Case, inPlace: Bool) -> [Float] {
        let (_, lse) = forward(c)
        let logits = buffer(c.logits)
        let dLogits = inPlace ? logits : buffer([Float](repeating: 7, count: c.logits.count))  // garbage to overwrite
        withTokens(c.targets) {
            CPUKernels.crossEntropyBackward(dLogits: dLogits.pointer, logits: logits.pointer, logSumExp: lse.pointer,
                                            targets: $0, dLoss: buffer(c.dLoss).pointer, rows: c.rows, vocab: c.vocab)
        }
        return dLogits.array
    }

    func testBackwardMatchesFiniteDifferences() {
        let c = makeCase(rows: 100, vocab: 50, spread: 4, seed: 72)
        let expected = numericGradient(c)
        assertClose(backward(c, inPlace: false), expected, absolute: 1e-6, relative: 1e-5, "dLogits")
        XCTAssertTrue(backward(c, inPlace: false)[c.vocab..<2 * c.vocab].allSatisfy { $0 == 0 }, "ignored row is zero")
    }

    func testBackwardInPlace() {
        let c = makeCase(rows: 100, vocab: 50, spread: 4, seed: 73)
        assertClose(backward(c, inPlace: true), numericGradient(c), absolute: 1e-6, relative: 1e-5,
                    "dLogits in place")
    }

    func testBackwardGPT2VocabularyAgainstSoftmax() {
        let c = makeCase(rows: 2, vocab: 50_257, spread: 6, seed: 74)
        var expected = [Double]()
        for n in 0..<c.rows {
            let row = c.logits[n * c.vocab..<(n + 1) * c.vocab].map(Double.init)
            let lse = Self.logSumExp(row[...]), t = Int(c.targets[n])
            for v in 0..<c.vocab {
                expected.append(t < 0 ? 0 : (Foundation.exp(row[v] - lse) - (v == t ? 1 : 0)) * Double(c.dLoss[n]))
            }
        }
        assertClose(backward(c, inPlace: true), expected, absolute: 1e-9, relative: 1e-5, "softmax − onehot")
    }

    func testLogSoftmaxGather() {
        let c = makeCase(rows: 100, vocab: 50, spread: 8, seed: 75)
        let out = buffer(count: c.rows)
        withTokens(c.targets) {
            CPUKernels.logSoftmaxGather(out: out.pointer, logits: buffer(c.logits).pointer, targets: $0, rows: c.rows,
                                        vocab: c.vocab)
        }
        let expected = Self.losses(c.logits.doubles, targets: c.targets, rows: c.rows, vocab: c.vocab).map { -$0 }
        assertClose(out.array, expected, absolute: 2e-6, relative: 1e-6, "log p(target)")
    }
}
