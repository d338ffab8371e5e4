import Tensor

/// Matrix products (plain and packed) and embeddings.
package enum DenseCases {
    package static let all: [BackendCheckCase] = matmulForward + matmulBackward + packed + embeddings

    // MARK: matmulForward

    /// out[N,OC] = input[N,C] · weight[OC,C]ᵀ (+ bias), `out` starting random (it must be overwritten).
    static func forward(_ run: CaseRun, rows N: Int, inFeatures C: Int, outFeatures OC: Int, bias withBias: Bool) {
        run.describe("N=\(N) C=\(C) OC=\(OC)")
        let input = run.randomFloats(N * C)  // [N,C]
        let weight = run.randomFloats(OC * C)  // [OC,C]
        let bias = withBias ? run.randomFloats(OC) : nil  // [OC]
        let out = run.randomFloats(N * OC)  // [N,OC]
        run.both { b, s in
            b.matmulForward(out: out[s], input: input[s], weight: weight[s], bias: bias?[s], rows: N, inFeatures: C, outFeatures: OC)
        }
        run.expectClose("out", out, products: C)
    }

    static let matmulForward: [BackendCheckCase] = [
        BackendCheckCase("matmulForward rows=1 bias", function: "matmulForward") { run in
            forward(run, rows: 1, inFeatures: run.rng.int(in: 1...700), outFeatures: run.rng.int(in: 1...700), bias: true)
        },
        BackendCheckCase("matmulForward few rows", function: "matmulForward") { run in
            forward(run, rows: run.rng.int(in: 2...16), inFeatures: run.rng.int(in: 1...300), outFeatures: run.rng.int(in: 1...300),
                    bias: false)
        },
        BackendCheckCase("matmulForward bias", function: "matmulForward") { run in
            forward(run, rows: run.rng.int(in: 17...200), inFeatures: run.rng.int(in: 1...300), outFeatures: run.rng.int(in: 1...300),
                    bias: true)
        },
        BackendCheckCase("matmulForward no bias", function: "matmulForward") { run in
            forward(run, rows: run.rng.int(in: 17...200), inFeatures: run.rng.int(in: 1...300), outFeatures: run.rng.int(in: 1...300),
                    bias: false)
        },
        BackendCheckCase("matmulForward large bias", function: "matmulForward") { run in
            forward(run, rows: run.rng.int(in: 60...70), inFeatures: 768, outFeatures: run.rng.int(in: 900...1100), bias: true)
        },
    ]

    // MARK: matmulBackward

    /// The gradients named in `wanted` from dOut[N,OC], each starting random: dInput[N,C] (= or += per
    /// `accumulateInput`), dWeight[OC,C] +=, dBias[OC] +=.
    static func backward(_ run: CaseRun, rows N: Int, inFeatures C: Int, outFeatures OC: Int, dInput wantsInput: Bool,
                         dWeight wantsWeight: Bool, dBias wantsBias: Bool, accumulateInput: Bool) {
        run.describe("N=\(N) C=\(C) OC=\(OC)")
        let input = run.randomFloats(N * C)  // [N,C]
        let weight = run.randomFloats(OC * C)  // [OC,C]
        let dOut = run.randomFloats(N * OC)  // [N,OC]
        let dInput = wantsInput ? run.randomFloats(N * C) : nil  // [N,C]
        let dWeight = wantsWeight ? run.randomFloats(OC * C) : nil  // [OC,C]
        let dBias = wantsBias ? run.randomFloats(OC) : nil  // [OC]
        run.both { b, s in
            b.matmulBackward(dInput: dInput?[s], dWeight: dWeight?[s], dBias: dBias?[s], dOut: dOut[s], input: input[s],
                             weight: weight[s], rows: N, inFeatures: C, outFeatures: OC, accumulateInput: accumulateInput)
        }
        if let dInput { run.expectClose("dInput", dInput, products: OC) }
        if let dWeight { run.expectClose("dWeight", dWeight, products: N) }
        if let dBias { run.expectClose("dBias", dBias) }
    }

    static let matmulBackward: [BackendCheckCase] = [
        BackendCheckCase("matmulBackward dInput=", function: "matmulBackward") { run in
            backward(run, rows: run.rng.int(in: 1...150), inFeatures: run.rng.int(in: 1...300), outFeatures: run.rng.int(in: 1...300),
                     dInput: true, dWeight: false, dBias: false, accumulateInput: false)
        },
        BackendCheckCase("matmulBackward dInput+=", function: "matmulBackward") { run in
            backward(run, rows: run.rng.int(in: 1...150), inFeatures: run.rng.int(in: 1...300), outFeatures: run.rng.int(in: 1...300),
                     dInput: true, dWeight: false, dBias: false, accumulateInput: true)
        },
        BackendCheckCase("matmulBackward dWeight+=", function: "matmulBackward") { run in
            backward(run, rows: run.rng.int(in: 1...150), inFeatures: run.rng.int(in: 1...300), outFeatures: run.rng.int(in: 1...300),
                     dInput: false, dWeight: true, dBias: false, accumulateInput: false)
        },
        BackendCheckCase("matmulBackward dBias+=", function: "matmulBackward") { run in
            backward(run, rows: run.rng.int(in: 1...300), inFeatures: run.rng.int(in: 1...100), outFeatures: run.rng.int(in: 1...700),
                     dInput: false, dWeight: false, dBias: true, accumulateInput: false)
        },
        BackendCheckCase("matmulBackward dInput+= dWeight+= dBias+= rows=1", function: "matmulBackward") { run in
            backward(run, rows: 1, inFeatures: run.rng.int(in: 1...300), outFeatures: run.rng.int(in: 1...300),
                     dInput: true, dWeight: true, dBias: true, accumulateInput: true)
        },
        BackendCheckCase("matmulBackward dInput= dWeight+= dBias+=", function: "matmulBackward") { run in
            backward(run, rows: run.rng.int(in: 100...300), inFeatures: run.rng.int(in: 200...400),
                     outFeatures: run.rng.int(in: 200...400),
                     dInput: true, dWeight: true, dBias: true, accumulateInput: false)
        },
    ]

    // MARK: packed weights

    /// The candidate's packWeight + packedMatmulForward (its own packed layout and size) against the
    /// reference's plain matmulForward.
    static func packedForward(_ run: CaseRun, rows N: Int, inFeatures C: Int, outFeatures OC: Int, bias withBias: Bool) {
        run.describe("N=\(N) C=\(C) OC=\(OC)")
        let input = run.randomFloats(N * C)  // [N,C]
        let weight = run.randomFloats(OC * C)  // [OC,C]
        let bias = withBias ? run.randomFloats(OC) : nil  // [OC]
        let out = run.randomFloats(N * OC)  // [N,OC]
        let packed = run.buffer(on: .candidate, count: run.candidate.packedWeightCount(inFeatures: C, outFeatures: OC))
        run.candidate.fill(packed.pointer, count: packed.count, value: .nan)  // packWeight must write what it reads
        run.candidate.packWeight(weight[.candidate], into: packed.pointer, inFeatures: C, outFeatures: OC)
        run.candidate.packedMatmulForward(out: out[.candidate], input: input[.candidate], packed: packed.pointer,
                                          bias: bias?[.candidate], rows: N, inFeatures: C, outFeatures: OC)
        run.reference.matmulForward(out: out[.reference], input: input[.reference], weight: weight[.reference],
                                    bias: bias?[.reference], rows: N, inFeatures: C, outFeatures: OC)
        run.expectClose("out", out, products: C)
        run.expectClose("weight", weight)
    }

    static let packed: [BackendCheckCase] = [
        BackendCheckCase("packedMatmulForward rows=1 bias", function: "packedMatmulForward") { run in
            packedForward(run, rows: 1, inFeatures: run.rng.int(in: 1...500), outFeatures: run.rng.int(in: 1...500), bias: true)
        },
        BackendCheckCase("packedMatmulForward few rows", function: "packedMatmulForward") { run in
            packedForward(run, rows: run.rng.int(in: 2...40), inFeatures: run.rng.int(in: 1...500), outFeatures: run.rng.int(in: 1...500),
                          bias: false)
        },
        BackendCheckCase("packedMatmulForward bias", function: "packedMatmulForward") { run in
            packedForward(run, rows: run.rng.int(in: 2...40), inFeatures: run.rng.int(in: 1...500), outFeatures: run.rng.int(in: 1...500),
                          bias: true)
        },
    ]

    // MARK: embeddings

    /// out[N,C] = (or +=) table[ids[n]], table[V,C].
    static func embeddingForward(_ run: CaseRun, rows N: Int, accumulate: Bool) {
        let V = run.rng.int(in: 1...500), C = run.rng.int(in: 1...300)
        run.describe("N=\(N) V=\(V) C=\(C)")
        let table = run.randomFloats(V * C)  // [V,C]
        let ids = run.tokens(run.rng.ids(N, below: V))  // [N]
        let out = run.randomFloats(N * C)  // [N,C]
        run.both { b, s in
            b.embeddingForward(out: out[s], ids: ids[s], table: table[s], rows: N, channels: C, accumulate: accumulate)
        }
        run.expectClose("out", out)
        run.expectClose("table", table)
    }

    static let embeddings: [BackendCheckCase] = [
        BackendCheckCase("embeddingForward =", function: "embeddingForward") { run in
            embeddingForward(run, rows: run.rng.int(in: 1...300), accumulate: false)
        },
        BackendCheckCase("embeddingForward += rows=1", function: "embeddingForward") { run in
            embeddingForward(run, rows: 1, accumulate: true)
        },
        BackendCheckCase("embeddingForward +=", function: "embeddingForward") { run in
            embeddingForward(run, rows: run.rng.int(in: 2...300), accumulate: true)
        },
        BackendCheckCase("embeddingBackward repeated ids", function: "embeddingBackward") { run in
            // ids from a few distinct values, so most rows add into a row another row adds into too
            let N = run.rng.int(in: 50...400), V = run.rng.int(in: 20...500), C = run.rng.int(in: 1...300)
            run.describe("N=\(N) V=\(V) C=\(C)")
            let popular = run.rng.ids(run.rng.int(in: 1...6), below: V)
            let ids = run.tokens((0..<N).map { _ in run.rng.int(in: 0...3) == 0 ? run.rng.ids(1, below: V)[0]
                                                                                 : popular[run.rng.int(in: 0...(popular.count - 1))] })
            let dOut = run.randomFloats(N * C)  // [N,C]
            let dTable = run.randomFloats(V * C)  // [V,C]
            run.both { b, s in b.embeddingBackward(dTable: dTable[s], dOut: dOut[s], ids: ids[s], rows: N, channels: C) }
            run.expectClose("dTable", dTable)
        },
    ]
}
