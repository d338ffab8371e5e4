import Dispatch
import Models
import Tensor

/// Times the matrix products of one decoding step — every projection of every layer and the LM head,
/// each applied to `rows` rows — once from the weights as stored (`Backend.matmulForward`: the skinny
/// kernel up to 16 rows, `sgemm` above) and once from `PackedWeights` (`Backend.packedMatmulForward`).
/// `rlhf bench products` reports both, so the kernels' gain is measured apart from the rest of a step.
package enum DecodeProductsBench {
    /// Median seconds per step of each path over `runs` timed steps (after one untimed step each), and
    /// the step's FLOPs.
    package static func measure(model lm: CausalLM, rows: Int, runs: Int) -> (stored: Double, packed: Double, flops: Double) {
        let backend = lm.backend, store = lm.parameters
        let specs = PackedWeights.projectionSpecs(of: lm)
        let widest = specs.map { max($0.shape[0], $0.shape[1]) }.max() ?? 1
        let input = backend.makeBuffer(count: rows * widest), out = backend.makeBuffer(count: rows * widest)
        backend.upload((0..<input.count).map { Float($0 % 13) * 0.01 - 0.06 }, to: input.pointer)
        let packed = PackedWeights(model: lm)
        let flops = specs.reduce(0.0) { $0 + 2 * Double(rows * $1.count) }

        func median(_ product: (ParameterSpec) -> Void) -> Double {
            var times: [Double] = []
            for run in 0...runs {
                let start = DispatchTime.now().uptimeNanoseconds
                for spec in specs { product(spec) }
                if run > 0 { times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
            }
            return times.sorted()[times.count / 2]
        }
        let stored = median { spec in
            backend.matmulForward(out: out.pointer, input: input.pointer, weight: store.value(spec.name), bias: nil,
                                  rows: rows, inFeatures: spec.shape[1], outFeatures: spec.shape[0])
        }
        let packedTime = median { spec in
            backend.packedMatmulForward(out: out.pointer, input: input.pointer,
                                        packed: packed.packed(store.value(spec.name))!, bias: nil, rows: rows,
                                        inFeatures: spec.shape[1], outFeatures: spec.shape[0])
        }
        return (stored, packedTime, flops)
    }
}
