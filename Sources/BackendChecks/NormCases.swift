import Tensor

/// LayerNorm and RMSNorm, forward (with their saved statistics) and backward.
package enum NormCases {
    package static let all: [BackendCheckCase] = [
        BackendCheckCase("layerNormForward", function: "layerNormForward") { run in
            layerNormForward(run, rows: run.rng.int(in: 2...100), channels: run.rng.int(in: 1...1100), inputs: -1...3)
        },
        BackendCheckCase("layerNormForward rows=1", function: "layerNormForward") { run in
            layerNormForward(run, rows: 1, channels: run.rng.int(in: 1000...3000), inputs: -1...3)
        },
        BackendCheckCase("layerNormBackward", function: "layerNormBackward") { run in
            layerNormBackward(run, rows: run.rng.int(in: 2...100), channels: run.rng.int(in: 1...1100))
        },
        BackendCheckCase("layerNormBackward rows=1", function: "layerNormBackward") { run in
            layerNormBackward(run, rows: 1, channels: run.rng.int(in: 1000...3000))
        },
        BackendCheckCase("rmsNormForward", function: "rmsNormForward") { run in
            rmsNormForward(run, rows: run.rng.int(in: 2...100), channels: run.rng.int(in: 1...1100))
        },
        BackendCheckCase("rmsNormForward rows=1", function: "rmsNormForward") { run in
            rmsNormForward(run, rows: 1, channels: run.rng.int(in: 1000...3000))
        },
        BackendCheckCase("rmsNormBackward", function: "rmsNormBackward") { run in
            rmsNormBackward(run, rows: run.rng.int(in: 2...100), channels: run.rng.int(in: 1...1100))
        },
        BackendCheckCase("rmsNormBackward rows=1", function: "rmsNormBackward") { run in
            rmsNormBackward(run, rows: 1, channels: run.rng.int(in: 1000...3000))
        },
    ]

    static let eps: Float = 1e-5

    /// mean[N] and rstd[N] of input[N,C] as the forward pass saves them (the row mean rounded to float,
    /// the biased variance about it in Double).
    static func layerNormStatistics(_ x: [Float], rows N: Int, channels C: Int) -> (mean: [Float], rstd: [Float]) {
        var mean = [Float](), rstd = [Float]()
        for n in 0..<N {
            let row = x[(n * C)..<((n + 1) * C)]
            let m = Float(row.reduce(0.0) { $0 + Double($1) } / Double(C))
            let variance = row.reduce(0.0) { $0 + (Double($1) - Double(m)) * (Double($1) - Double(m)) } / Double(C)
            mean.append(m)
            rstd.append(Float(1 / (variance + Double(eps)).squareRoot()))
        }
        return (mean, rstd)
    }

    /// rstd[N] of input[N,C] for RMSNorm: 1/sqrt(mean(x²) + eps).
    static func rmsStatistics(_ x: [Float], rows N: Int, channels C: Int) -> [Float] {
        (0..<N).map { n in
            let squares = x[(n * C)..<((n + 1) * C)].reduce(0.0) { $0 + Double($1) * Double($1) }
            return Float(1 / (squares / Double(C) + Double(eps)).squareRoot())
        }
    }

    /// out[N,C], mean[N], rstd[N] (all starting random) from input[N,C] drawn from `inputs` (off centre, so
    /// that a mean, compared relative to the row means' own scale, is not a sum that cancels to nothing).
    static func layerNormForward(_ run: CaseRun, rows N: Int, channels C: Int, inputs: ClosedRange<Float>) {
        run.describe("N=\(N) C=\(C)")
        let input = run.randomFloats(N * C, in: inputs)  // [N,C]
        let weight = run.randomFloats(C, in: 0.5...1.5), bias = run.randomFloats(C)  // [C] each
        let out = run.randomFloats(N * C)  // [N,C]
        let mean = run.randomFloats(N), rstd = run.randomFloats(N)  // [N] each
        run.both { b, s in
            b.layerNormForward(out: out[s], mean: mean[s], rstd: rstd[s], input: input[s], weight: weight[s], bias: bias[s],
                               rows: N, channels: C, eps: eps)
        }
        run.expectClose("out", out)
        run.expectClose("mean", mean)
        run.expectClose("rstd", rstd)
    }

    /// dInput[N,C] +=, dWeight[C] +=, dBias[C] += (all starting random) with the statistics of the input.
    static func layerNormBackward(_ run: CaseRun, rows N: Int, channels C: Int) {
        run.describe("N=\(N) C=\(C)")
        let x = run.rng.floats(N * C, in: -1...3)
        let statistics = layerNormStatistics(x, rows: N, channels: C)
        let input = run.floats(x)  // [N,C]
        let mean = run.floats(statistics.mean), rstd = run.floats(statistics.rstd)  // [N] each
        let weight = run.randomFloats(C, in: 0.5...1.5)  // [C]
        let dOut = run.randomFloats(N * C)  // [N,C]
        let dInput = run.randomFloats(N * C)  // [N,C]
        let dWeight = run.randomFloats(C), dBias = run.randomFloats(C)  // [C] each
        run.both { b, s in
            b.layerNormBackward(dInput: dInput[s], dWeight: dWeight[s], dBias: dBias[s], dOut: dOut[s], input: input[s],
                                weight: weight[s], mean: mean[s], rstd: rstd[s], rows: N, channels: C)
        }
        run.expectClose("dInput", dInput)
        run.expectClose("dWeight", dWeight)
        run.expectClose("dBias", dBias)
    }

    /// out[N,C] and rstd[N] (starting random).
    static func rmsNormForward(_ run: CaseRun, rows N: Int, channels C: Int) {
        run.describe("N=\(N) C=\(C)")
        let input = run.randomFloats(N * C, in: -2...2)  // [N,C]
        let weight = run.randomFloats(C, in: 0.5...1.5)  // [C]
        let out = run.randomFloats(N * C), rstd = run.randomFloats(N)  // [N,C], [N]
        run.both { b, s in
            b.rmsNormForward(out: out[s], rstd: rstd[s], input: input[s], weight: weight[s], rows: N, channels: C, eps: eps)
        }
        run.expectClose("out", out)
        run.expectClose("rstd", rstd)
    }

    /// dInput[N,C] +=, dWeight[C] += (starting random) with the input's rstd.
    static func rmsNormBackward(_ run: CaseRun, rows N: Int, channels C: Int) {
        run.describe("N=\(N) C=\(C)")
        let x = run.rng.floats(N * C, in: -2...2)
        let input = run.floats(x)  // [N,C]
        let rstd = run.floats(rmsStatistics(x, rows: N, channels: C))  // [N]
        let weight = run.randomFloats(C, in: 0.5...1.5)  // [C]
        let dOut = run.randomFloats(N * C), dInput = run.randomFloats(N * C)  // [N,C] each
        let dWeight = run.randomFloats(C)  // [C]
        run.both { b, s in
            b.rmsNormBackward(dInput: dInput[s], dWeight: dWeight[s], dOut: dOut[s], input: input[s], weight: weight[s],
                              rstd: rstd[s], rows: N, channels: C)
        }
        run.expectClose("dInput", dInput)
        run.expectClose("dWeight", dWeight)
    }
}
