import Tensor

/// Element-wise kernels: add (with aliasing), column blocks, GELU (tanh and erf) and SwiGLU.
package enum ElementwiseCases {
    package static let all: [BackendCheckCase] = adds + columns + gelus + swiglus

    // MARK: add

    /// Which buffer `out` is in `add`.
    enum AddTarget { case separate, a, b }

    /// out[count] = a + b, `out` separate (starting random) or aliasing a or b.
    static func add(_ run: CaseRun, count: Int, out target: AddTarget) {
        run.describe("count=\(count)")
        let a = run.randomFloats(count), b = run.randomFloats(count)  // [count] each
        let out = target == .separate ? run.randomFloats(count) : target == .a ? a : b  // [count]
        run.both { backend, s in backend.add(out: out[s], a[s], b[s], count: count) }
        run.expectClose("out", out)
        if target != .a { run.expectClose("a", a) }
        if target != .b { run.expectClose("b", b) }
    }

    static let adds: [BackendCheckCase] = [
        BackendCheckCase("add", function: "add") { run in add(run, count: run.rng.int(in: 1...5000), out: .separate) },
        BackendCheckCase("add out==a", function: "add") { run in add(run, count: run.rng.int(in: 1...5000), out: .a) },
        BackendCheckCase("add out==b", function: "add") { run in add(run, count: run.rng.int(in: 1...5000), out: .b) },
        BackendCheckCase("add large out==a", function: "add") { run in add(run, count: run.rng.int(in: 150_000...250_000), out: .a) },
    ]

    // MARK: column blocks

    static let columns: [BackendCheckCase] = [
        BackendCheckCase("addColumns strided", function: "addColumns") { run in
            let N = run.rng.int(in: 1...200), columns = run.rng.int(in: 1...150), outStride = columns + run.rng.int(in: 1...100)
            run.describe("N=\(N) columns=\(columns) outStride=\(outStride)")
            let out = run.randomFloats(N * outStride)  // [N,outStride]: columns 0..<columns get the source
            let source = run.randomFloats(N * columns)  // [N,columns]
            run.both { b, s in b.addColumns(out: out[s], outStride: outStride, source: source[s], rows: N, columns: columns) }
            run.expectClose("out", out)
        },
        BackendCheckCase("addColumns packed", function: "addColumns") { run in
            let N = run.rng.int(in: 1...200), columns = run.rng.int(in: 1...150)
            run.describe("N=\(N) columns=\(columns) outStride=\(columns)")
            let out = run.randomFloats(N * columns), source = run.randomFloats(N * columns)  // [N,columns] each
            run.both { b, s in b.addColumns(out: out[s], outStride: columns, source: source[s], rows: N, columns: columns) }
            run.expectClose("out", out)
        },
        BackendCheckCase("copyColumns strided", function: "copyColumns") { run in
            let N = run.rng.int(in: 1...200), columns = run.rng.int(in: 1...150), sourceStride = columns + run.rng.int(in: 0...100)
            let first = run.rng.int(in: 0...(sourceStride - columns))  // the block's first column in the source
            run.describe("N=\(N) columns=\(columns) sourceStride=\(sourceStride) first=\(first)")
            let source = run.randomFloats(N * sourceStride)  // [N,sourceStride]
            let out = run.randomFloats(N * columns)  // [N,columns]
            run.both { b, s in
                b.copyColumns(out: out[s], source: source[s] + first, sourceStride: sourceStride, rows: N, columns: columns)
            }
            run.expectClose("out", out)
            run.expectClose("source", source)
        },
    ]

    // MARK: GELU

    /// The two GELUs, by the name of their `Backend` functions.
    enum GELU { case tanh, erf }

    /// out[count] = gelu(input) on inputs in [−6, 6] (both tails and the middle).
    static func geluForward(_ run: CaseRun, _ kind: GELU) {
        let count = run.rng.int(in: 1...20_000)
        run.describe("count=\(count)")
        let input = run.randomFloats(count, in: -6...6), out = run.randomFloats(count)  // [count] each
        run.both { b, s in
            switch kind {
            case .tanh: b.geluForward(out: out[s], input: input[s], count: count)
            case .erf: b.geluErfForward(out: out[s], input: input[s], count: count)
            }
        }
        run.expectClose("out", out)
    }

    /// dInput[count] = gelu'(input)·dOut, in a separate buffer or in place over dOut.
    static func geluBackward(_ run: CaseRun, _ kind: GELU, inPlace: Bool) {
        let count = run.rng.int(in: 1...20_000)
        run.describe("count=\(count)")
        let input = run.randomFloats(count, in: -6...6), dOut = run.randomFloats(count)  // [count] each
        let dInput = inPlace ? dOut : run.randomFloats(count)  // [count]
        run.both { b, s in
            switch kind {
            case .tanh: b.geluBackward(dInput: dInput[s], dOut: dOut[s], input: input[s], count: count)
            case .erf: b.geluErfBackward(dInput: dInput[s], dOut: dOut[s], input: input[s], count: count)
            }
        }
        run.expectClose("dInput", dInput)
        if !inPlace { run.expectClose("dOut", dOut) }
    }

    static let gelus: [BackendCheckCase] = [
        BackendCheckCase("geluForward tanh", function: "geluForward") { run in geluForward(run, .tanh) },
        BackendCheckCase("geluBackward tanh", function: "geluBackward") { run in geluBackward(run, .tanh, inPlace: false) },
        BackendCheckCase("geluBackward tanh in place", function: "geluBackward") { run in geluBackward(run, .tanh, inPlace: true) },
        BackendCheckCase("geluErfForward", function: "geluErfForward") { run in geluForward(run, .erf) },
        BackendCheckCase("geluErfBackward", function: "geluErfBackward") { run in geluBackward(run, .erf, inPlace: false) },
        BackendCheckCase("geluErfBackward in place", function: "geluErfBackward") { run in geluBackward(run, .erf, inPlace: true) },
    ]

    // MARK: SwiGLU

    static let swiglus: [BackendCheckCase] = [
        BackendCheckCase("swigluForward", function: "swigluForward") { run in
            let N = run.rng.int(in: 1...100), F = run.rng.int(in: 1...700)
            run.describe("N=\(N) F=\(F)")
            let gateUp = run.randomFloats(N * 2 * F, in: -6...6)  // [N,2F]
            let out = run.randomFloats(N * F)  // [N,F]
            run.both { b, s in b.swigluForward(out: out[s], gateUp: gateUp[s], rows: N, hidden: F) }
            run.expectClose("out", out)
        },
        BackendCheckCase("swigluBackward", function: "swigluBackward") { run in
            let N = run.rng.int(in: 1...100), F = run.rng.int(in: 1...700)
            run.describe("N=\(N) F=\(F)")
            let gateUp = run.randomFloats(N * 2 * F, in: -6...6)  // [N,2F]
            let dOut = run.randomFloats(N * F)  // [N,F]
            let dGateUp = run.randomFloats(N * 2 * F)  // [N,2F]
            run.both { b, s in b.swigluBackward(dGateUp: dGateUp[s], dOut: dOut[s], gateUp: gateUp[s], rows: N, hidden: F) }
            run.expectClose("dGateUp", dGateUp)
        },
    ]
}
