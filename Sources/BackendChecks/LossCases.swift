import Foundation
import Tensor

/// Cross-entropy, log-softmax gather and the temperature log-probabilities (with entropy) of the policy
/// losses, forward and backward, on small vocabularies and on a 50,000-token one.
package enum LossCases {
    package static let all: [BackendCheckCase] = crossEntropy + gathers + tokenLogProbs

    /// A large vocabulary (GPT-2's is 50,257), a few rows.
    static let largeVocab = 50_000...50_300

    /// logits[N,V] in [−5, 5].
    static func randomLogits(_ run: CaseRun, rows N: Int, vocab V: Int) -> [Float] { run.rng.floats(N * V, in: -5...5) }

    /// Each row of logits[N,V] at temperature T, in Double.
    struct Softmax {
        /// softmax(logits[n] / T) [N,V]
        var p: [Double] = []
        /// log Σ exp(logits[n] / T) [N]
        var logSumExp: [Double] = []
        /// −Σ p log p [N]
        var entropy: [Double] = []

        init(_ logits: [Float], rows N: Int, vocab V: Int, temperature T: Float = 1) {
            for n in 0..<N {
                let z = logits[(n * V)..<((n + 1) * V)].map { Double($0) / Double(T) }
                let m = z.max()!, lse = m + log(z.reduce(0.0) { $0 + exp($1 - m) })
                let row = z.map { exp($0 - lse) }
                p += row
                logSumExp.append(lse)
                entropy.append(zip(row, z).reduce(0.0) { $0 - $1.0 * ($1.1 - lse) })
            }
        }

        /// The size of the log-sum-exp each row's log-domain outputs (losses, log-probabilities, entropy)
        /// are differences from, at least 1 nat: the scale their rounding errors are made at.
        var logDomainMagnitudes: [Double] { logSumExp.map { max(1, abs($0)) } }
    }

    // MARK: cross-entropy

    /// losses[N] and logSumExp[N] (starting random) from logits[N,V], about a quarter of the targets −1.
    static func crossEntropyForward(_ run: CaseRun, rows N: Int, vocab V: Int) {
        run.describe("N=\(N) V=\(V)")
        let values = randomLogits(run, rows: N, vocab: V)
        let logits = run.floats(values)  // [N,V]
        let targets = run.tokens(run.rng.targets(N, below: V))  // [N]
        let losses = run.randomFloats(N), lse = run.randomFloats(N)  // [N] each
        run.both { b, s in
            b.crossEntropyForward(losses: losses[s], logSumExp: lse[s], logits: logits[s], targets: targets[s], rows: N, vocab: V)
        }
        run.expectClose("losses", losses, magnitudes: Softmax(values, rows: N, vocab: V).logDomainMagnitudes)
        run.expectClose("logSumExp", lse)
    }

    /// dLogits[N,V] (starting random, or in place over the logits) with the logits' logSumExp.
    static func crossEntropyBackward(_ run: CaseRun, rows N: Int, vocab V: Int, inPlace: Bool) {
        run.describe("N=\(N) V=\(V)")
        let values = randomLogits(run, rows: N, vocab: V)
        let logits = run.floats(values)  // [N,V]
        let lse = run.floats(Softmax(values, rows: N, vocab: V).logSumExp.map { Float($0) })  // [N]
        let targets = run.tokens(run.rng.targets(N, below: V))  // [N]
        let dLoss = run.randomFloats(N)  // [N]
        let dLogits = inPlace ? logits : run.randomFloats(N * V)  // [N,V]
        run.both { b, s in
            b.crossEntropyBackward(dLogits: dLogits[s], logits: logits[s], logSumExp: lse[s], targets: targets[s], dLoss: dLoss[s],
                                   rows: N, vocab: V)
        }
        run.expectClose("dLogits", dLogits)
    }

    static let crossEntropy: [BackendCheckCase] = [
        BackendCheckCase("crossEntropyForward", function: "crossEntropyForward") { run in
            crossEntropyForward(run, rows: run.rng.int(in: 1...40), vocab: run.rng.int(in: 2...3000))
        },
        BackendCheckCase("crossEntropyForward large vocab", function: "crossEntropyForward") { run in
            crossEntropyForward(run, rows: 3, vocab: run.rng.int(in: largeVocab))
        },
        BackendCheckCase("crossEntropyBackward", function: "crossEntropyBackward") { run in
            crossEntropyBackward(run, rows: run.rng.int(in: 1...40), vocab: run.rng.int(in: 2...3000), inPlace: false)
        },
        BackendCheckCase("crossEntropyBackward in place", function: "crossEntropyBackward") { run in
            crossEntropyBackward(run, rows: run.rng.int(in: 1...40), vocab: run.rng.int(in: 2...3000), inPlace: true)
        },
        BackendCheckCase("crossEntropyBackward large vocab", function: "crossEntropyBackward") { run in
            crossEntropyBackward(run, rows: 3, vocab: run.rng.int(in: largeVocab), inPlace: false)
        },
    ]

    // MARK: logSoftmaxGather

    /// out[N] (starting random) = log softmax(logits[n])[targets[n]], every target real.
    static func gather(_ run: CaseRun, rows N: Int, vocab V: Int) {
        run.describe("N=\(N) V=\(V)")
        let values = randomLogits(run, rows: N, vocab: V)
        let logits = run.floats(values)  // [N,V]
        let targets = run.tokens(run.rng.ids(N, below: V))  // [N]
        let out = run.randomFloats(N)  // [N]
        run.both { b, s in b.logSoftmaxGather(out: out[s], logits: logits[s], targets: targets[s], rows: N, vocab: V) }
        run.expectClose("out", out, magnitudes: Softmax(values, rows: N, vocab: V).logDomainMagnitudes)
    }

    static let gathers: [BackendCheckCase] = [
        BackendCheckCase("logSoftmaxGather", function: "logSoftmaxGather") { run in
            gather(run, rows: run.rng.int(in: 1...40), vocab: run.rng.int(in: 2...3000))
        },
        BackendCheckCase("logSoftmaxGather large vocab", function: "logSoftmaxGather") { run in
            gather(run, rows: 3, vocab: run.rng.int(in: largeVocab))
        },
    ]

    // MARK: tokenLogProbs

    /// logProbs[N] and, when asked, entropy[N] (starting random) at `temperature`.
    static func tokenLogProbsForward(_ run: CaseRun, rows N: Int, vocab V: Int, temperature: Float, entropy wantsEntropy: Bool) {
        run.describe("N=\(N) V=\(V) T=\(temperature)")
        let values = randomLogits(run, rows: N, vocab: V)
        let logits = run.floats(values)  // [N,V]
        let targets = run.tokens(run.rng.targets(N, below: V))  // [N]
        let logProbs = run.randomFloats(N)  // [N]
        let entropy = wantsEntropy ? run.randomFloats(N) : nil  // [N]
        run.both { b, s in
            b.tokenLogProbsForward(logProbs: logProbs[s], entropy: entropy?[s], logits: logits[s], targets: targets[s], rows: N,
                                   vocab: V, temperature: temperature)
        }
        let magnitudes = Softmax(values, rows: N, vocab: V, temperature: temperature).logDomainMagnitudes
        run.expectClose("logProbs", logProbs, magnitudes: magnitudes)
        if let entropy { run.expectClose("entropy", entropy, magnitudes: magnitudes) }
    }

    /// dLogits[N,V] (starting random, or in place over the logits) from the gradients asked for.
    static func tokenLogProbsBackward(_ run: CaseRun, rows N: Int, vocab V: Int, temperature: Float, dLogProbs wantsLogProbs: Bool,
                                      dEntropy wantsEntropy: Bool, inPlace: Bool) {
        run.describe("N=\(N) V=\(V) T=\(temperature)")
        let values = randomLogits(run, rows: N, vocab: V), targetValues = run.rng.targets(N, below: V)
        let dLogProbValues = wantsLogProbs ? run.rng.floats(N) : nil, dEntropyValues = wantsEntropy ? run.rng.floats(N) : nil
        let logits = run.floats(values)  // [N,V]
        let targets = run.tokens(targetValues)  // [N]
        let dLogProbs = dLogProbValues.map(run.floats)  // [N]
        let dEntropy = dEntropyValues.map(run.floats)  // [N]
        let dLogits = inPlace ? logits : run.randomFloats(N * V)  // [N,V]
        run.both { b, s in
            b.tokenLogProbsBackward(dLogits: dLogits[s], logits: logits[s], targets: targets[s], dLogProbs: dLogProbs?[s],
                                    dEntropy: dEntropy?[s], rows: N, vocab: V, temperature: temperature)
        }
        // (1/T)·[dLogProbs·(onehot − p) − dEntropy·p·(log p + H)]: the size of each term, summed
        let softmax = Softmax(values, rows: N, vocab: V, temperature: temperature)
        let magnitudes = (0..<(N * V)).map { i -> Double in
            let n = i / V, p = softmax.p[i], target = Int(targetValues[n])
            let logProbTerm = target < 0 ? 0 : Double(abs(dLogProbValues?[n] ?? 0)) * ((i % V == target ? 1 : 0) + p)
            let entropyTerm = Double(abs(dEntropyValues?[n] ?? 0)) * p * (abs(log(max(p, .leastNormalMagnitude))) + softmax.entropy[n])
            return (logProbTerm + entropyTerm) / Double(temperature)
        }
        run.expectClose("dLogits", dLogits, magnitudes: magnitudes)
    }

    static let tokenLogProbs: [BackendCheckCase] = [
        BackendCheckCase("tokenLogProbsForward entropy T=0.7", function: "tokenLogProbsForward") { run in
            tokenLogProbsForward(run, rows: run.rng.int(in: 1...40), vocab: run.rng.int(in: 2...3000), temperature: 0.7, entropy: true)
        },
        BackendCheckCase("tokenLogProbsForward no entropy T=1.3", function: "tokenLogProbsForward") { run in
            tokenLogProbsForward(run, rows: run.rng.int(in: 1...40), vocab: run.rng.int(in: 2...3000), temperature: 1.3, entropy: false)
        },
        BackendCheckCase("tokenLogProbsForward entropy large vocab", function: "tokenLogProbsForward") { run in
            tokenLogProbsForward(run, rows: 3, vocab: run.rng.int(in: largeVocab), temperature: 0.9, entropy: true)
        },
        BackendCheckCase("tokenLogProbsBackward dLogProbs dEntropy T=0.7", function: "tokenLogProbsBackward") { run in
            tokenLogProbsBackward(run, rows: run.rng.int(in: 1...40), vocab: run.rng.int(in: 2...3000), temperature: 0.7,
                                  dLogProbs: true, dEntropy: true, inPlace: false)
        },
        BackendCheckCase("tokenLogProbsBackward dLogProbs only", function: "tokenLogProbsBackward") { run in
            tokenLogProbsBackward(run, rows: run.rng.int(in: 1...40), vocab: run.rng.int(in: 2...3000), temperature: 1.2,
                                  dLogProbs: true, dEntropy: false, inPlace: false)
        },
        BackendCheckCase("tokenLogProbsBackward dEntropy only", function: "tokenLogProbsBackward") { run in
            tokenLogProbsBackward(run, rows: run.rng.int(in: 1...40), vocab: run.rng.int(in: 2...3000), temperature: 0.8,
                                  dLogProbs: false, dEntropy: true, inPlace: false)
        },
        BackendCheckCase("tokenLogProbsBackward dLogProbs dEntropy in place large vocab", function: "tokenLogProbsBackward") { run in
            tokenLogProbsBackward(run, rows: 3, vocab: run.rng.int(in: largeVocab), temperature: 0.9,
                                  dLogProbs: true, dEntropy: true, inPlace: true)
        },
    ]
}
