import Tensor

/// The optimizer's kernels: AdamW over segments, the Double sum of squares (gradient clipping) and scale.
package enum OptimizerCases {
    package static let all: [BackendCheckCase] = adamW + sums + scales

    // MARK: adamWStep

    /// Segments over 0..<count that leave gaps (floats no segment covers) and sometimes touch, cycling
    /// through `scalarsCount` scalar sets.
    static func randomSegments(_ run: CaseRun, count: Int, scalarsCount: Int) -> [OptimizerSegment] {
        var segments: [OptimizerSegment] = [], start = run.rng.int(in: 0...7)
        while start < count - 1 {
            let end = min(count, start + run.rng.int(in: 1...(count / 3 + 1)))
            segments.append(OptimizerSegment(range: start..<end, scalarsIndex: segments.count % scalarsCount))
            start = end + (run.rng.coin() ? 0 : run.rng.int(in: 1...40))
        }
        return segments
    }

    /// parameters, gradients and both moments [count], all compared whole (gaps included).
    static func adamWStep(_ run: CaseRun, count: Int) {
        let scalars = [
            AdamWScalars(t: 1, lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01),
            AdamWScalars(t: 7, lr: 3e-4, beta1: 0.9, beta2: 0.95, epsilon: 1e-6, weightDecay: 0),
            AdamWScalars(t: 120, lr: 1e-2, beta1: 0.8, beta2: 0.99, epsilon: 1e-8, weightDecay: 0.1),
        ]
        let segments = randomSegments(run, count: count, scalarsCount: scalars.count)
        run.describe("count=\(count) segments=\(segments.count)")
        let parameters = run.randomFloats(count)  // [count]
        let gradients = run.randomFloats(count, in: -0.1...0.1)  // [count]
        let firstMoment = run.randomFloats(count, in: -0.01...0.01)  // [count]
        let secondMoment = run.randomFloats(count, in: 0...1e-4)  // [count]
        run.both { b, s in
            b.adamWStep(parameters: parameters[s], gradients: gradients[s], firstMoment: firstMoment[s],
                        secondMoment: secondMoment[s], count: count, segments: segments, scalars: scalars)
        }
        run.expectClose("parameters", parameters)
        run.expectClose("firstMoment", firstMoment)
        run.expectClose("secondMoment", secondMoment)
        run.expectClose("gradients", gradients)
    }

    static let adamW: [BackendCheckCase] = [
        BackendCheckCase("adamWStep segments", function: "adamWStep") { run in adamWStep(run, count: run.rng.int(in: 100...9000)) },
        BackendCheckCase("adamWStep large", function: "adamWStep") { run in adamWStep(run, count: run.rng.int(in: 250_000...350_000)) },
    ]

    // MARK: sumOfSquares

    /// Σ x² over x[count] in Double.
    static func sumOfSquares(_ run: CaseRun, count: Int) {
        run.describe("count=\(count)")
        let x = run.randomFloats(count, in: -3...3)  // [count]
        run.expectClose("sum", candidate: run.candidate.sumOfSquares(x[.candidate], count: count),
                        reference: run.reference.sumOfSquares(x[.reference], count: count))
        run.expectClose("x", x)
    }

    static let sums: [BackendCheckCase] = [
        BackendCheckCase("sumOfSquares", function: "sumOfSquares") { run in sumOfSquares(run, count: run.rng.int(in: 1...5000)) },
        BackendCheckCase("sumOfSquares several blocks", function: "sumOfSquares") { run in
            sumOfSquares(run, count: run.rng.int(in: 200_000...300_000))
        },
        BackendCheckCase("sumOfSquares two whole blocks", function: "sumOfSquares") { run in sumOfSquares(run, count: 2 * 65_536) },
    ]

    // MARK: scale

    /// x[count] *= factor.
    static func scale(_ run: CaseRun, count: Int) {
        let factor = run.rng.float(in: -2...2)
        run.describe("count=\(count) factor=\(factor)")
        let x = run.randomFloats(count)  // [count]
        run.both { b, s in b.scale(x[s], count: count, by: factor) }
        run.expectClose("x", x)
    }

    static let scales: [BackendCheckCase] = [
        BackendCheckCase("scale", function: "scale") { run in scale(run, count: run.rng.int(in: 1...5000)) },
        BackendCheckCase("scale large", function: "scale") { run in scale(run, count: run.rng.int(in: 100_000...200_000)) },
    ]
}
